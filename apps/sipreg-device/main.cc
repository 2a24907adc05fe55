// sipreg-device: registers a paging / ringing / emergency-alert device's
// extensions and serves its web interface. Wiring only; see src/device/.
#include <cstdio>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "common/random.h"
#include "device/device_config.h"
#include "device/device_service.h"
#include "device/registration_engine.h"
#include "device/system_log.h"
#include "device/web_server.h"

using namespace sipreg;

int main(int argc, char** argv) {
  CLI::App app{"sipreg-device: registers paging, ring and alert extensions to a SIP server"};
  std::string config_path;
  bool check_only = false;
  app.add_option("-c,--config", config_path, "device.conf (INI, see docs/device.md)")->required();
  app.add_flag("--check-config", check_only, "only check the configuration, then exit");
  CLI11_PARSE(app, argc, argv);

  auto config = device::LoadDeviceConfig(config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", config.status().message().c_str());
    return 2;
  }
  if (check_only) {
    std::printf("%s: OK (%zu extensions)\n", config_path.c_str(), config->extensions.size());
    return 0;
  }

  auto logger = spdlog::stdout_logger_mt("sipreg-device");
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %l %v");
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);

  asio::io_context io;
  SystemClock& clock = SystemClock::Instance();
  device::SystemLog log(clock);
  log.Info(fmt::format("sipreg-device starting with {}", config_path));
  device::RegistrationEngine engine(io, *config, log, clock, OpenSslRandom::Instance());
  if (Status st = engine.Start(); !st.ok()) {
    std::fprintf(stderr, "sipreg-device: %s\n", st.message().c_str());
    return 1;
  }

  device::DeviceService service(io, engine, log, config_path);
  std::unique_ptr<device::WebServer> web;
  const auto& listen = config->web.listen;
  if (!listen.empty()) {
    web = std::make_unique<device::WebServer>(service, config->web.password);
    auto port = web->Start(listen.host, listen.port.value_or(8080));
    if (!port.ok()) {
      std::fprintf(stderr, "sipreg-device: web interface on %s: %s\n", listen.ToString().c_str(),
                   port.status().message().c_str());
      return 1;
    }
    const bool v6 = listen.host.find(':') != std::string::npos;
    log.Info(fmt::format("web interface on http://{}{}{}:{}/", v6 ? "[" : "", listen.host,
                         v6 ? "]" : "", *port));
  }

  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const asio::error_code& ec, int sig) {
    if (ec) return;
    log.Info(fmt::format("signal {}: unregistering every extension", sig));
    engine.Shutdown([&] {
      log.Info("stopped");
      io.stop();
    });
  });
  io.run();
  if (web) web->Stop();
  return 0;
}
