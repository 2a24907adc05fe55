#include "device/device_service.h"

#include <chrono>
#include <future>
#include <memory>

#include <asio/post.hpp>

namespace sipreg::device {
namespace {

constexpr auto kIoWait = std::chrono::seconds(5);

// Runs `f` on the io thread and waits for its result.
template <typename T, typename F>
Result<T> OnIo(asio::io_context& io, F f) {
  auto promise = std::make_shared<std::promise<T>>();
  auto future = promise->get_future();
  asio::post(io, [promise, f = std::move(f)]() mutable { promise->set_value(f()); });
  if (future.wait_for(kIoWait) != std::future_status::ready) {
    return Status::Timeout("the device is busy (io thread did not answer in 5 s)");
  }
  return future.get();
}

}  // namespace

DeviceService::DeviceService(asio::io_context& io, RegistrationEngine& engine, SystemLog& log,
                             std::string config_path)
    : io_(io), engine_(engine), log_(log), config_path_(std::move(config_path)) {}

std::vector<RegistrationView> DeviceService::Registrations() {
  auto r = OnIo<std::vector<RegistrationView>>(io_, [this] { return engine_.Views(); });
  return r.ok() ? std::move(r).value() : std::vector<RegistrationView>{};
}

DeviceConfig DeviceService::CurrentConfig() {
  auto r = OnIo<DeviceConfig>(io_, [this] { return engine_.config(); });
  return r.ok() ? std::move(r).value() : DeviceConfig{};
}

Status DeviceService::ApplyConfig(DeviceConfig config) {
  std::lock_guard<std::mutex> lock(apply_mu_);
  if (Status st = WriteDeviceConfigAtomically(config, config_path_); !st.ok()) return st;
  log_.Info("configuration saved to " + config_path_);
  auto r = OnIo<bool>(io_, [this, config = std::move(config)]() mutable {
    engine_.Apply(std::move(config));
    return true;
  });
  return r.ok() ? Status::Ok() : r.status();
}

}  // namespace sipreg::device
