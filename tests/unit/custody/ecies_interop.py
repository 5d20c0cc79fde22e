#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""An independent implementation of the SPEC §7 ECIES format with Python's
`cryptography` (Debian: python3-cryptography), used by interop_test.cpp.

  ecies_interop.py encrypt <recipient_public_key_hex>   plaintext on stdin -> base64(E) on stdout
  ecies_interop.py keygen <private_key_pem_path>        writes a P-384 key, prints its public hex
  ecies_interop.py decrypt <private_key_pem_path>       base64(E) on stdin -> plaintext on stdout
Exit 3 on any verification failure.
"""
import base64
import os
import sys

from cryptography.hazmat.primitives import hashes, hmac, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

CURVE = ec.SECP384R1()


def kdf(z: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(z)


def encrypt(recipient_hex: str, plaintext: bytes) -> bytes:
    recipient = ec.EllipticCurvePublicKey.from_encoded_point(CURVE, bytes.fromhex(recipient_hex))
    ephemeral = ec.generate_private_key(CURVE)
    z = ephemeral.exchange(ec.ECDH(), recipient)
    eph = ephemeral.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    nonce = os.urandom(12)
    ct_and_tag = AESGCM(kdf(z, b"ecies-aes-key")).encrypt(nonce, plaintext, None)
    body = eph + nonce + ct_and_tag
    mac = hmac.HMAC(kdf(z, b"ecies-hmac-key"), hashes.SHA256())
    mac.update(body)
    return body + mac.finalize()


def decrypt(private_pem: bytes, message: bytes) -> bytes:
    key = serialization.load_pem_private_key(private_pem, password=None)
    eph, nonce, ct_and_tag, tag = message[:97], message[97:109], message[109:-32], message[-32:]
    peer = ec.EllipticCurvePublicKey.from_encoded_point(CURVE, eph)
    z = key.exchange(ec.ECDH(), peer)
    mac = hmac.HMAC(kdf(z, b"ecies-hmac-key"), hashes.SHA256())
    mac.update(message[:-32])
    mac.verify(tag)  # raises InvalidSignature before anything is decrypted
    return AESGCM(kdf(z, b"ecies-aes-key")).decrypt(nonce, ct_and_tag, None)


def main() -> int:
    command, arg = sys.argv[1], sys.argv[2]
    try:
        if command == "encrypt":
            sys.stdout.write(base64.b64encode(encrypt(arg, sys.stdin.buffer.read())).decode())
        elif command == "keygen":
            key = ec.generate_private_key(CURVE)
            with open(arg, "wb") as f:
                f.write(key.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
            sys.stdout.write(key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint).hex())
        elif command == "decrypt":
            with open(arg, "rb") as f:
                pem = f.read()
            message = base64.b64decode(sys.stdin.read().strip(), validate=True)
            sys.stdout.buffer.write(decrypt(pem, message))
        else:
            return 2
    except Exception as e:  # noqa: BLE001 - any failure is a failed check for the caller
        sys.stderr.write(f"ecies_interop: {type(e).__name__}\n")
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
