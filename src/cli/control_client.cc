#include "cli/control_client.h"

#include <cstdlib>
#include <filesystem>

#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>

namespace sipreg::cli {

std::string DefaultControlSocket() {
  if (const char* env = std::getenv("SIPREG_CONTROL"); env != nullptr && *env != '\0') return env;
  std::error_code ec;
  if (std::filesystem::exists("var/sipreg/sipregd.ctl", ec)) return "var/sipreg/sipregd.ctl";
  return "/var/lib/sipreg/sipregd.ctl";
}

Result<std::string> SendControlCommand(const std::string& socket_path, std::string_view line) {
  asio::io_context io;
  asio::local::stream_protocol::socket sock(io);
  asio::error_code ec;
  sock.connect(asio::local::stream_protocol::endpoint(socket_path), ec);
  if (ec) {
    return Status::Unavailable("cannot reach sipregd at " + socket_path + ": " + ec.message() +
                               " (is sipregd running? use --control PATH)");
  }
  std::string request(line);
  request += '\n';
  asio::write(sock, asio::buffer(request), ec);
  if (ec) return Status::IoError("writing to " + socket_path + ": " + ec.message());
  std::string answer;
  asio::read(sock, asio::dynamic_buffer(answer), ec);
  if (ec && ec != asio::error::eof) {
    return Status::IoError("reading from " + socket_path + ": " + ec.message());
  }
  return answer;
}

}  // namespace sipreg::cli
