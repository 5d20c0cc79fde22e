# SPDX-License-Identifier: Apache-2.0
# Runs the real `lottery config` binary and checks that the operator key never
# appears in its output, and that a bad value exits 2 with one exact line.
# Usage: cmake -DLOTTERY_BIN=<path> -DWORK_DIR=<empty scratch dir> -P config_cli.cmake
cmake_minimum_required(VERSION 3.25)
if(NOT LOTTERY_BIN OR NOT WORK_DIR)
  message(FATAL_ERROR "set LOTTERY_BIN and WORK_DIR")
endif()
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

# Anvil's first dev account key: public, never a real secret.
set(key_body "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
set(key "0x${key_body}")
string(TOUPPER "${key_body}" key_body_upper)
# Variables a developer's shell might have set and that would change the outcome.
set(clean_env
  --unset=BLOCKCHAIN_OPERATOR_PRIVATE_KEY --unset=BLOCKCHAIN_OPERATOR_PRIVATE_KEY_FILE
  --unset=BLOCKCHAIN_GAS_MULTIPLIER --unset=SERVER_PORT)

# Runs lottery with `env_args` (NAME=value…) then `cli_args`; sets rc/out/err.
function(run_lottery env_args cli_args)
  execute_process(
    COMMAND ${CMAKE_COMMAND} -E env ${clean_env} ${env_args} "${LOTTERY_BIN}" ${cli_args}
    WORKING_DIRECTORY "${WORK_DIR}"
    RESULT_VARIABLE result OUTPUT_VARIABLE stdout ERROR_VARIABLE stderr)
  set(rc "${result}" PARENT_SCOPE)
  set(out "${stdout}" PARENT_SCOPE)
  set(err "${stderr}" PARENT_SCOPE)
endfunction()

function(expect_no_key what text)
  string(TOLOWER "${text}" lowered)
  string(FIND "${lowered}" "${key_body}" at)
  if(NOT at EQUAL -1)
    message(FATAL_ERROR "${what}: the private key appears in the output:\n${text}")
  endif()
endfunction()

function(expect_contains what text needle)
  string(FIND "${text}" "${needle}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${what}: expected to find '${needle}' in:\n${text}")
  endif()
endfunction()

# 1. Key in the environment, text output.
run_lottery("BLOCKCHAIN_OPERATOR_PRIVATE_KEY=${key}" "config")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "text: exit ${rc}, stderr:\n${err}")
endif()
expect_no_key("text stdout" "${out}")
expect_no_key("text stderr" "${err}")
expect_contains("text" "${out}"
  "blockchain.operator_private_key      = [REDACTED]  # env BLOCKCHAIN_OPERATOR_PRIVATE_KEY")

# 2. Upper-case key in a key file, a config file and a --set flag, JSON output.
file(WRITE "${WORK_DIR}/key" "0X${key_body_upper}\n")
file(WRITE "${WORK_DIR}/custom.conf" "{\"server\": {\"port\": 7000}, \"log\": {\"format\": \"json\"}}")
run_lottery("BLOCKCHAIN_OPERATOR_PRIVATE_KEY_FILE=${WORK_DIR}/key"
  "config;--config;${WORK_DIR}/custom.conf;--set;server.port=7001;--format;json")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "json: exit ${rc}, stderr:\n${err}")
endif()
expect_no_key("json stdout" "${out}")
expect_no_key("json stderr" "${err}")
string(JSON shown GET "${out}" settings blockchain operator_private_key)
string(JSON port GET "${out}" settings server port)
string(JSON port_source GET "${out}" sources server.port)
string(JSON format GET "${out}" settings log format)
if(NOT shown STREQUAL "[REDACTED]" OR NOT port EQUAL 7001 OR NOT port_source STREQUAL "flag"
   OR NOT format STREQUAL "json")
  message(FATAL_ERROR "json: unexpected values key=${shown} port=${port}/${port_source} format=${format}")
endif()

# 3. A bad value: exit 2 and exactly one line naming key, value and expectation.
run_lottery("BLOCKCHAIN_GAS_MULTIPLIER=abc" "config")
set(expected "config: BLOCKCHAIN_GAS_MULTIPLIER=\"abc\" is not valid: expected a number between 1.0 and 5.0\n")
if(NOT rc EQUAL 2 OR NOT err STREQUAL expected OR NOT out STREQUAL "")
  message(FATAL_ERROR "invalid: exit ${rc}, stdout:\n${out}\nstderr:\n${err}")
endif()

# 4. A malformed key is refused without being echoed.
string(SUBSTRING "${key}" 0 60 almost)
run_lottery("BLOCKCHAIN_OPERATOR_PRIVATE_KEY=${almost}" "config;--format;json")
if(NOT rc EQUAL 2)
  message(FATAL_ERROR "bad key: exit ${rc}")
endif()
string(SUBSTRING "${key_body}" 0 40 almost_body)
string(FIND "${out}${err}" "${almost_body}" at)
if(NOT at EQUAL -1)
  message(FATAL_ERROR "bad key: the key appears in the output:\n${err}")
endif()
expect_contains("bad key" "${err}" "config: BLOCKCHAIN_OPERATOR_PRIVATE_KEY=[REDACTED] is not valid")

file(REMOVE_RECURSE "${WORK_DIR}")
message(STATUS "lottery config CLI checks passed")
