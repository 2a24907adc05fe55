// SerializeDeviceConfig and WriteDeviceConfigAtomically: DeviceConfig back to
// INI text, and that text to disk.
#include "device/device_config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "device/device_config_internal.h"

namespace sipreg::device {
namespace {

using internal::Errno;
using internal::QuoteIfNeeded;

}  // namespace

std::string SerializeDeviceConfig(const DeviceConfig& c) {
  std::string out = "; written by sipreg-device\n";
  auto key = [&out](std::string_view k, std::string_view v) {
    out += fmt::format("{} = {}\n", k, QuoteIfNeeded(v, false));
  };
  auto key_if = [&key](std::string_view k, std::string_view v) {
    if (!v.empty()) key(k, v);
  };
  auto yes_no = [](bool b) { return b ? "yes" : "no"; };

  out += "\n[sip]\n";
  key("server", c.sip.server.ToString());
  key_if("outbound_proxy", c.sip.outbound_proxy.ToString());
  key("transport", TransportChoiceName(c.sip.transport));
  key("expires", std::to_string(c.sip.expires));
  key("keepalive", KeepAliveMethodName(c.sip.keepalive));
  key("keepalive_interval", std::to_string(c.sip.keepalive_interval));
  key("local_port", std::to_string(c.sip.local_port));
  key("tls_verify", yes_no(c.sip.tls_verify));
  key_if("tls_ca", c.sip.tls_ca);
  key_if("display_name", c.sip.display_name);
  key("register_rate", std::to_string(c.sip.register_rate));
  key_if("dns_server", c.sip.dns_server.ToString());

  out += "\n[web]\n";
  key("listen", c.web.listen.empty() ? "off" : c.web.listen.ToString());
  key_if("password", c.web.password);

  out += "\n[audio]\n";
  key("output", c.audio.output);

  for (const ExtensionConfig& e : c.extensions) {
    out += fmt::format("\n[{}]\n", e.id);
    key("extension", e.extension);
    key_if("auth_id", e.auth_id);
    key_if("password", e.password);
    key("enabled", yes_no(e.enabled));
    if (e.type == ExtensionType::kPage) continue;
    key_if("audio", e.audio);
    if (e.type != ExtensionType::kAlert) continue;
    if (e.until_cancelled) {
      key("duration", "until-cancelled");
    } else if (e.duration > 0) {
      key("duration", std::to_string(e.duration));
    }
    key_if("cancel_extension", e.cancel_extension);
    key_if("cancel_auth_id", e.cancel_auth_id);
    key_if("cancel_password", e.cancel_password);
    key("answer", yes_no(e.answer));
    key_if("access_code", e.access_code);
  }
  return out;
}

Status WriteDeviceConfigAtomically(const DeviceConfig& config, const std::string& path) {
  const std::string text = SerializeDeviceConfig(config);
  std::string tmp = path + ".tmp.XXXXXX";
  int fd = mkstemp(tmp.data());
  if (fd < 0) return Status::IoError(Errno("cannot create a temporary file for", path, errno));
  auto fail = [&](std::string_view what) {
    const int err = errno;
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    return Status::IoError(Errno(what, path, err));
  };
  if (::fchmod(fd, 0600) != 0) return fail("cannot set the mode of");
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("cannot write");
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return fail("cannot sync");
  const int closed = ::close(fd);
  fd = -1;
  if (closed != 0) return fail("cannot write");
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("cannot replace");

  // Make the rename itself durable.
  std::string dir = std::filesystem::path(path).parent_path().string();
  // Not `dir = "."`: GCC 12 gives a false -Wrestrict on that here (GCC bug 105329).
  if (dir.empty()) dir = std::string(".");
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Status::IoError(Errno("cannot open the directory of", path, errno));
  const int synced = ::fsync(dfd);
  const int err = errno;
  ::close(dfd);
  // Some file systems cannot sync a directory; the file itself is in place.
  if (synced != 0 && err != EINVAL && err != ENOTSUP) {
    return Status::IoError(Errno("cannot sync the directory of", path, err));
  }
  return Status::Ok();
}

}  // namespace sipreg::device
