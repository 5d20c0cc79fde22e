# SPDX-License-Identifier: Apache-2.0
# System dependencies, all from Debian packages installed by scripts/setup.sh.
set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)
find_package(Boost 1.81 REQUIRED COMPONENTS json url system)
find_package(OpenSSL 3 REQUIRED)
find_package(PkgConfig REQUIRED)

# libsecp256k1 (with the recovery module) has no CMake config in Debian.
find_path(SECP256K1_INCLUDE_DIR secp256k1_recovery.h REQUIRED)
if(LOTTERY_STATIC)
  find_library(SECP256K1_LIBRARY NAMES libsecp256k1.a secp256k1 REQUIRED)
  find_library(CRYPTOPP_LIBRARY NAMES libcrypto++.a cryptopp crypto++ REQUIRED)
else()
  find_library(SECP256K1_LIBRARY NAMES secp256k1 REQUIRED)
  find_library(CRYPTOPP_LIBRARY NAMES cryptopp crypto++ REQUIRED)
endif()
add_library(lottery_secp256k1 INTERFACE)
target_include_directories(lottery_secp256k1 SYSTEM INTERFACE ${SECP256K1_INCLUDE_DIR})
target_link_libraries(lottery_secp256k1 INTERFACE ${SECP256K1_LIBRARY})

find_path(CRYPTOPP_INCLUDE_DIR crypto++/keccak.h REQUIRED)
add_library(lottery_cryptopp INTERFACE)
target_include_directories(lottery_cryptopp SYSTEM INTERFACE ${CRYPTOPP_INCLUDE_DIR})
target_link_libraries(lottery_cryptopp INTERFACE ${CRYPTOPP_LIBRARY})

if(LOTTERY_TESTS OR LOTTERY_BENCH)
  find_package(GTest REQUIRED)
endif()
if(LOTTERY_BENCH)
  find_package(benchmark REQUIRED)
endif()
