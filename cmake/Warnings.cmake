# SPDX-License-Identifier: Apache-2.0
# Project-wide warning set (DESIGN.md); errors when LOTTERY_WERROR is on (CI).
add_library(lottery_warnings INTERFACE)
target_compile_options(lottery_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wold-style-cast -Wnon-virtual-dtor
  $<$<BOOL:${LOTTERY_WERROR}>:-Werror>)
