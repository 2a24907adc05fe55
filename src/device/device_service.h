// DeviceService: the DeviceControl the web interface talks to. It hands every
// question to the io thread that owns the RegistrationEngine (posted, waited
// for up to 5 s) and saves applied configurations to the config file
// atomically before applying them.
//
// Thread affinity: the DeviceControl methods may be called from any thread
// except the io thread (they wait for it). Lifetime: `io`, `engine` and `log`
// outlive the service.
#pragma once

#include <mutex>
#include <string>

#include <asio/io_context.hpp>

#include "device/registration_engine.h"
#include "device/system_log.h"
#include "device/web_server.h"

namespace sipreg::device {

class DeviceService final : public DeviceControl {
 public:
  DeviceService(asio::io_context& io, RegistrationEngine& engine, SystemLog& log,
                std::string config_path);

  std::vector<RegistrationView> Registrations() override;
  DeviceConfig CurrentConfig() override;
  Status ApplyConfig(DeviceConfig config) override;
  const SystemLog& Log() override { return log_; }

 private:
  asio::io_context& io_;
  RegistrationEngine& engine_;
  SystemLog& log_;
  const std::string config_path_;
  std::mutex apply_mu_;  // one save + apply at a time
};

}  // namespace sipreg::device
