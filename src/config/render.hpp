// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "config/load.hpp"

#include <string>

namespace lottery::config {

enum class RenderFormat : std::uint8_t { kText, kJson };

/// The effective configuration for `lottery config`, every secret shown as
/// "[REDACTED]" (and the whole text passed through the log redactor too).
///
/// text: a comment header, then one line per setting in table order:
///   `server.port                          = 6080  # default`
///   `blockchain.operator_private_key      = [REDACTED]  # env BLOCKCHAIN_OPERATOR_PRIVATE_KEY`
///   unset optional settings show `(not set)`; sources are default, file, env NAME or flag.
/// json: `{"config_file": "<path>"|null, "settings": {"<section>": {"<key>": value…}…},
///        "sources": {"<section.key>": "default"|"file"|"env"|"flag"…}}` on one line,
///   values typed (numbers, booleans, arrays, null when unset).
std::string render_effective(const LoadResult& loaded, RenderFormat format);

/// The settings table as a Markdown table (setting, environment variable,
/// type, default, description), one row per setting in table order, for the
/// docs (`lottery config --describe`). Contains no values, only defaults.
std::string describe_settings_markdown();

}  // namespace lottery::config
