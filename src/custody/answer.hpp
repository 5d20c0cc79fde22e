// SPDX-License-Identifier: Apache-2.0
#pragma once
// The transport-independent answer of a custody endpoint.

#include <string>

namespace lottery::custody {

/// An HTTP-shaped answer: status code, content type and body.
struct HttpAnswer {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

}  // namespace lottery::custody
