# SPDX-License-Identifier: Apache-2.0
# Checks that README.md's configuration table is exactly what the code's own
# settings table prints (`lottery config --describe`), so the documentation
# cannot drift from the code. With -DUPDATE=ON it rewrites the README section
# instead of checking it.
# Usage: cmake -DLOTTERY_BIN=<path> -DREADME=<README.md> [-DUPDATE=ON] -P readme_config.cmake
cmake_minimum_required(VERSION 3.25)
if(NOT LOTTERY_BIN OR NOT README)
  message(FATAL_ERROR "set LOTTERY_BIN and README")
endif()

set(begin_marker "<!-- BEGIN config-table")
set(end_marker "<!-- END config-table -->")

execute_process(COMMAND "${LOTTERY_BIN}" config --describe
  RESULT_VARIABLE rc OUTPUT_VARIABLE table ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "lottery config --describe failed (${rc}): ${err}")
endif()
string(STRIP "${table}" table)

file(READ "${README}" readme)
string(FIND "${readme}" "${begin_marker}" begin_at)
string(FIND "${readme}" "${end_marker}" end_at)
if(begin_at EQUAL -1 OR end_at EQUAL -1 OR end_at LESS begin_at)
  message(FATAL_ERROR "${README} lacks the markers '${begin_marker} ... -->' and '${end_marker}'")
endif()
# The section starts after the line holding the begin marker.
string(SUBSTRING "${readme}" ${begin_at} -1 from_begin)
string(FIND "${from_begin}" "\n" newline_at)
math(EXPR content_at "${begin_at} + ${newline_at} + 1")
math(EXPR content_length "${end_at} - ${content_at}")
string(SUBSTRING "${readme}" ${content_at} ${content_length} current)
string(STRIP "${current}" current)

if(UPDATE)
  string(SUBSTRING "${readme}" 0 ${content_at} head)
  string(SUBSTRING "${readme}" ${end_at} -1 tail)
  file(WRITE "${README}" "${head}${table}\n${tail}")
  message(STATUS "updated the configuration table in ${README}")
elseif(NOT current STREQUAL table)
  message(FATAL_ERROR
    "README.md's configuration table differs from 'lottery config --describe'. Regenerate it:\n"
    "  cmake -DLOTTERY_BIN=${LOTTERY_BIN} -DREADME=${README} -DUPDATE=ON -P tests/cli/readme_config.cmake\n"
    "--- README ---\n${current}\n--- lottery config --describe ---\n${table}")
endif()
