// libFuzzer target for device.conf and its JSON form (the web interface's PUT
// /api/config). Besides "no crash, no UB, no exception escaping", it checks the
// round trips the device relies on when it saves: whatever ParseDeviceConfig
// accepts, SerializeDeviceConfig writes back as text that parses to an equal
// config, and ConfigToJson / ConfigFromJson agree with it too.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "device/device_config.h"

namespace sipreg::device {
namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace
}  // namespace sipreg::device

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sipreg::device;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = ParseDeviceConfig(text, "fuzz.conf");
  if (parsed.ok()) {
    auto again = ParseDeviceConfig(SerializeDeviceConfig(*parsed), "again.conf");
    Check(again.ok());
    Check(*again == *parsed);
    auto from_json = ConfigFromJson(ConfigToJson(*parsed, /*with_secrets=*/true), *parsed);
    Check(from_json.ok());
    Check(*from_json == *parsed);
  } else {
    Check(!parsed.status().message().empty());
  }
  // The same bytes as a PUT /api/config body, against a small valid base.
  static const DeviceConfig base = [] {
    auto c = ParseDeviceConfig("[sip]\nserver = 127.0.0.1\n[web]\npassword = pw\n"
                               "[page]\nextension = 100\npassword = x\n",
                               "base.conf");
    Check(c.ok());
    return *c;
  }();
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_discarded()) {
    auto c = ConfigFromJson(j, base);
    if (!c.ok()) Check(!c.status().message().empty());
  }
  return 0;
}
