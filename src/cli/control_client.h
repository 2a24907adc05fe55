// SendControlCommand(): the client side of sipregd's admin socket. Connects to
// the Unix socket, writes one command line, returns everything sipregd answers.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace sipreg::cli {

// The socket used when none is given: $SIPREG_CONTROL, else ./var/sipreg/sipregd.ctl
// if it exists (the demo's statedir), else /var/lib/sipreg/sipregd.ctl.
std::string DefaultControlSocket();

Result<std::string> SendControlCommand(const std::string& socket_path, std::string_view line);

}  // namespace sipreg::cli
