// SPDX-License-Identifier: Apache-2.0
#include "app/cmd_inject_key.hpp"

#include "custody/attestation.hpp"
#include "custody/ecies.hpp"
#include "custody/secret.hpp"
#include "eth/hex.hpp"
#include "eth/secp256k1.hpp"

#include <openssl/ssl.h>
#include <termios.h>
#include <unistd.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>

namespace lottery::app {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;

constexpr auto kTimeout = std::chrono::seconds(15);

enum Exit : int { kOk = 0, kBadInput = 1, kUnreachable = 2, kAttestationFailed = 3, kRefused = 4 };

[[noreturn]] void fail(int code, const std::string& message) {
  std::fprintf(stderr, "inject-key: %s\n", message.c_str());
  throw CLI::RuntimeError(code);
}

template <class Stream>
void run_exchange(asio::io_context& ioc, Stream& stream, beast::tcp_stream& tcp,
                  asio::ip::tcp::resolver& resolver, const std::string& host,
                  const std::string& port, http::request<http::string_body>& req,
                  http::response_parser<http::string_body>& parser, beast::error_code& failure,
                  std::chrono::milliseconds timeout, bool tls) {
  beast::flat_buffer buffer;
  tcp.expires_after(timeout);
  resolver.async_resolve(host, port, [&](beast::error_code ec, auto results) {
    if (ec) {
      failure = ec;
      return;
    }
    tcp.async_connect(results, [&](beast::error_code cec, const auto&) {
      if (cec) {
        failure = cec;
        return;
      }
      auto send = [&] {
        http::async_write(stream, req, [&](beast::error_code wec, std::size_t) {
          if (wec) {
            failure = wec;
            return;
          }
          http::async_read(stream, buffer, parser, [&](beast::error_code rec, std::size_t) {
            if (rec) failure = rec;
          });
        });
      };
      if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
        if (tls) {
          stream.async_handshake(asio::ssl::stream_base::client, [&, send](beast::error_code hec) {
            if (hec) {
              failure = hec;
              return;
            }
            send();
          });
          return;
        }
      }
      send();
    });
  });
  ioc.run_for(timeout + std::chrono::milliseconds(100));
}

// "0x" + 64 lower-case hex in locked memory, from text with or without 0x and
// surrounding whitespace. nullopt when it is not 64 hex digits.
std::optional<custody::SecretBytes> normalize_key(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) {
    text.remove_suffix(1);
  }
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
    text.remove_prefix(2);
  if (text.size() != 64) return std::nullopt;
  custody::SecretBytes out(66);
  out.data()[0] = '0';
  out.data()[1] = 'x';
  for (std::size_t i = 0; i < 64; ++i) {
    const char c = text[i];
    if (std::isxdigit(static_cast<unsigned char>(c)) == 0) return std::nullopt;
    out.data()[2 + i] = static_cast<std::uint8_t>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// Reads one line into a locked buffer (no std::string copies of the key).
custody::SecretBytes read_line(std::FILE* in) {
  custody::SecretBytes buf(256);
  std::size_t n = 0;
  int c = 0;
  while ((c = std::fgetc(in)) != EOF && c != '\n') {
    if (n < buf.size()) buf.data()[n++] = static_cast<std::uint8_t>(c);
  }
  buf.shrink(n);
  return buf;
}

custody::SecretBytes read_key_text(const std::string& key_file) {
  if (!key_file.empty()) {
    std::FILE* f = std::fopen(key_file.c_str(), "rb");
    if (f == nullptr) fail(kBadInput, "cannot read the key file '" + key_file + "'");
    custody::SecretBytes line = read_line(f);
    std::fclose(f);
    return line;
  }
  if (const char* env = std::getenv("BLOCKCHAIN_OPERATOR_PRIVATE_KEY");
      env != nullptr && *env != 0) {
    const std::string_view text(env);
    return custody::SecretBytes(
        eth::ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  }
  if (::isatty(STDIN_FILENO) == 1) {
    std::fputs("Operator private key (input hidden): ", stderr);
    std::fflush(stderr);
    termios old{};
    const bool have_tty = ::tcgetattr(STDIN_FILENO, &old) == 0;
    if (have_tty) {
      termios quiet = old;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    custody::SecretBytes line = read_line(stdin);
    if (have_tty) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    std::fputs("\n", stderr);
    return line;
  }
  return read_line(stdin);
}

json::object fetch_json(const std::string& url, const char* what) {
  const HttpReply reply = http_exchange("GET", url, "", "", kTimeout);
  if (reply.status == 0)
    fail(kUnreachable, std::string("cannot fetch ") + what + " from " + url + ": " + reply.error);
  boost::system::error_code ec;
  json::value doc = json::parse(reply.body, ec);
  if (reply.status != 200 || ec || !doc.is_object()) {
    fail(kUnreachable, url + " answered HTTP " + std::to_string(reply.status) + " without " + what);
  }
  return std::move(doc.as_object());
}

std::string string_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

std::string join_url(const std::string& base, const std::string& path) {
  std::string out = base;
  while (!out.empty() && out.back() == '/') out.pop_back();
  return out + path;
}

HttpReply http_exchange(const std::string& method, const std::string& url, const std::string& body,
                        const std::string& content_type, std::chrono::milliseconds timeout) {
  HttpReply reply;
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) {
    reply.error = "not a URL: '" + url + "'";
    return reply;
  }
  const std::string scheme(parsed->scheme());
  const bool tls = scheme == "https";
  if (!tls && scheme != "http") {
    reply.error = "the URL must start with http:// or https://";
    return reply;
  }
  std::string host(parsed->host_address());
  if (host.empty()) {
    reply.error = "no host in '" + url + "'";
    return reply;
  }
  const std::string port = parsed->has_port() ? std::string(parsed->port()) : (tls ? "443" : "80");
  std::string target(parsed->encoded_path());
  if (target.empty()) target = "/";
  if (parsed->has_query()) target += "?" + std::string(parsed->encoded_query());

  http::request<http::string_body> req{method == "POST" ? http::verb::post : http::verb::get,
                                       target, 11};
  req.set(http::field::host, std::string(parsed->encoded_host_and_port()));
  req.set(http::field::user_agent, "lottery-cli");
  req.set(http::field::accept, "application/json, application/cbor");
  if (method == "POST") {
    req.set(http::field::content_type, content_type);
    req.body() = body;
    req.prepare_payload();
  }
  req.keep_alive(false);

  asio::io_context ioc;
  asio::ip::tcp::resolver resolver(ioc);
  http::response_parser<http::string_body> parser;
  parser.body_limit(1 << 20);
  beast::error_code failure;
  if (tls) {
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.set_default_verify_paths();
    ctx.set_verify_mode(asio::ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
    if (host.front() == '[') host = host.substr(1, host.size() - 2);
    // SNI (the SSL_set_tlsext_host_name macro expands to an old-style cast).
    SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             host.data());
    stream.set_verify_callback(asio::ssl::host_name_verification(host));
    run_exchange(ioc, stream, beast::get_lowest_layer(stream), resolver, host, port, req, parser,
                 failure, timeout, true);
  } else {
    beast::tcp_stream stream(ioc);
    run_exchange(ioc, stream, stream, resolver, host, port, req, parser, failure, timeout, false);
  }
  if (!parser.is_done()) {
    reply.error = failure ? failure.message() : std::string("timed out");
    return reply;
  }
  const auto& res = parser.get();
  reply.status = static_cast<int>(res.result_int());
  reply.body = res.body();
  reply.content_type = std::string(res[http::field::content_type]);
  return reply;
}

void register_inject_key_command(CLI::App& cli) {
  CLI::App* cmd = cli.add_subcommand(
      "inject-key",
      "Encrypt the operator key to a running service (ECIES, SPEC §7) and install it. Exit 0 "
      "injected, 1 bad input, 2 service unreachable, 3 attestation failed, 4 refused by the "
      "service.");
  struct Options {
    std::string url;
    std::string key_file;
    bool attest = false;
    bool allow_dev = false;
    std::string root_cert;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("--url", o->url, "Base URL of the service, e.g. http://127.0.0.1:6080")
      ->required();
  cmd->add_option("--key-file", o->key_file,
                  "File holding the key (0x + 64 hex). Default: BLOCKCHAIN_OPERATOR_PRIVATE_KEY, "
                  "else a hidden prompt, else one line of stdin");
  cmd->add_flag("--attest", o->attest,
                "Check the service key against a fresh attestation document first");
  cmd->add_flag("--allow-dev", o->allow_dev,
                "With --attest: accept an unsigned dev document (proves nothing; local testing)");
  cmd->add_option(
      "--root-cert", o->root_cert,
      "With --attest: trust this root certificate (PEM/DER) instead of the AWS Nitro root");
  cmd->callback([o] {
    const custody::SecretBytes text = read_key_text(o->key_file);
    const auto key_text = normalize_key(text.chars());
    if (!key_text) fail(kBadInput, "the operator key must be 64 hex digits (optionally with 0x)");
    custody::SecretBytes raw(32);
    for (std::size_t i = 0; i < 32; ++i) {
      const auto digit = [](std::uint8_t c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
      raw.data()[i] = static_cast<std::uint8_t>((digit(key_text->data()[2 + 2 * i]) << 4) |
                                                digit(key_text->data()[3 + 2 * i]));
    }
    const auto key = eth::PrivateKey::from_bytes(raw.view());
    if (!key) fail(kBadInput, "the operator key is not a valid secp256k1 private key");
    std::printf("key for operator address %s\n", eth::to_checksum(key->address()).c_str());

    const json::object pub_doc = fetch_json(join_url(o->url, "/api/get_pub_key"), "the public key");
    const auto pub_bytes = custody::bare_hex_decode(string_field(pub_doc, "public_key_hex"));
    const auto pub = pub_bytes ? custody::parse_p384_public_key(*pub_bytes) : std::nullopt;
    if (!pub) fail(kUnreachable, "the service's public_key_hex is not a secp384r1 public key");
    std::printf("service key %s…%s (secp384r1)\n",
                string_field(pub_doc, "public_key_hex").substr(0, 16).c_str(),
                string_field(pub_doc, "public_key_hex").substr(178).c_str());

    if (o->attest) {
      const eth::Bytes nonce = custody::random_bytes(32);
      const json::object att =
          fetch_json(join_url(o->url, "/api/attestation?nonce=" + eth::hex_encode_bare(nonce)),
                     "an attestation");
      const auto doc = custody::base64_decode(string_field(att, "attestation_document"));
      if (!doc) fail(kAttestationFailed, "the attestation_document is not base64");
      custody::VerifyOptions verify;
      verify.expected_nonce = nonce;
      verify.expected_public_key = eth::Bytes(pub->begin(), pub->end());
      if (!o->root_cert.empty()) {
        std::ifstream f(o->root_cert, std::ios::binary);
        const eth::Bytes pem((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
        try {
          verify.root_der = custody::certificate_der(pem);
        } catch (const std::exception& e) {
          fail(kBadInput, "--root-cert: " + std::string(e.what()));
        }
      }
      const custody::VerifyReport report = custody::verify_attestation(*doc, verify);
      for (const auto& check : report.checks) {
        std::printf("  attestation %-17s %s  %s\n", check.name.c_str(), check.ok ? "ok  " : "FAIL",
                    check.detail.c_str());
      }
      if (report.dev) {
        if (!o->allow_dev) {
          fail(kAttestationFailed,
               "the service sent an unsigned DEV attestation document, which proves nothing; "
               "refusing (use --allow-dev for local testing)");
        }
        std::printf(
            "WARNING: dev attestation document accepted because of --allow-dev; it proves "
            "nothing\n");
      } else if (!report.ok) {
        fail(kAttestationFailed, "the attestation does not check out; the key was not sent");
      } else {
        std::printf("attestation verified: the key belongs to the attested enclave\n");
      }
    }

    const eth::Bytes blob = custody::ecies_encrypt(*pub, key_text->view());
    const std::string body =
        json::serialize(json::object{{"encrypted_private_key", custody::base64_encode(blob)}});
    const std::string url = join_url(o->url, "/api/set_operator_key");
    const HttpReply reply = http_exchange("POST", url, body, "application/json", kTimeout);
    if (reply.status == 0) fail(kUnreachable, "cannot reach " + url + ": " + reply.error);
    boost::system::error_code ec;
    const json::value answer = json::parse(reply.body, ec);
    const json::object empty;
    const json::object& fields = !ec && answer.is_object() ? answer.as_object() : empty;
    if (reply.status == 200) {
      std::printf("injected: the service now operates as %s\n",
                  string_field(fields, "operator_address").c_str());
      return;
    }
    const std::string detail =
        string_field(fields, "error").empty()
            ? std::string("HTTP ") + std::to_string(reply.status)
            : string_field(fields, "error") + ": " + string_field(fields, "message");
    fail(reply.status >= 400 && reply.status < 500 ? kRefused
         : reply.status == 503                     ? kRefused
                                                   : kUnreachable,
         "the service refused the key (HTTP " + std::to_string(reply.status) + ") " + detail);
  });
}

}  // namespace lottery::app
