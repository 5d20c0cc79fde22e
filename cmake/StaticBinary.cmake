# SPDX-License-Identifier: Apache-2.0
# The static binary keeps only the code and data something refers to. Most of
# the idle service's RSS is file-backed pages of its own code (the kernel maps
# text in fault-around chunks, so scattered unused functions cost memory), and
# dropping unreferenced sections takes ~1.3 MB off the text and ~0.5 MB off
# idle RSS (docs/benchmarks.md, M1).
if(LOTTERY_STATIC)
  add_compile_options(-ffunction-sections -fdata-sections)
  add_link_options(-Wl,--gc-sections)
endif()
