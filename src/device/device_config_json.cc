// ConfigToJson and ConfigFromJson: the JSON form of DeviceConfig used by
// GET/PUT /api/config. ConfigFromJson builds INI text and lets the parser check it.
#include "device/device_config.h"

#include <algorithm>
#include <exception>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "device/device_config_internal.h"

namespace sipreg::device {
namespace {

using nlohmann::json;

using internal::ClassifySection;
using internal::IsControl;
using internal::Lower;
using internal::ParseDeviceConfigWithPlace;
using internal::QuoteIfNeeded;
using internal::SectionClass;
using internal::SectionKind;
using internal::Shown;

// ---- JSON -> INI ----------------------------------------------------------------

// Builds INI text from the JSON form, remembering which JSON field each line came
// from so parser errors can name the field instead of a line of generated text.
class JsonToIni {
 public:
  explicit JsonToIni(const DeviceConfig& base) : base_(base) {}

  Result<DeviceConfig> Convert(const json& j) {
    if (!j.is_object()) return Status::InvalidArgument("config: expected a JSON object");
    SIPREG_RETURN_IF_ERROR(OnlyFields(j, "", {"sip", "web", "audio", "extensions"}));
    SIPREG_RETURN_IF_ERROR(Sip(j));
    SIPREG_RETURN_IF_ERROR(Web(j));
    SIPREG_RETURN_IF_ERROR(Audio(j));
    SIPREG_RETURN_IF_ERROR(Extensions(j));
    Result<DeviceConfig> config = ParseDeviceConfigWithPlace(text_, [this](int line) {
      if (line > 0 && static_cast<size_t>(line) < fields_.size()) return fields_[line];
      return std::string("config");
    });
    if (!config.ok()) return config.status();
    for (ExtensionConfig& ext : config->extensions) ext.line = 0;
    return config;
  }

 private:
  static Status TypeError(const std::string& path, std::string_view expected) {
    return Status::InvalidArgument(fmt::format("{}: expected {}", path, expected));
  }

  static Status OnlyFields(const json& obj, const std::string& path,
                           std::initializer_list<std::string_view> allowed) {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end()) {
        return Status::InvalidArgument(
            fmt::format("{}{}: unknown field", path.empty() ? "" : path + ".", Shown(it.key())));
      }
    }
    return Status::Ok();
  }

  // The object at obj[key]; null or absent gives an empty object.
  static Result<json> Object(const json& obj, const std::string& key, const std::string& path) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return json::object();
    if (!it->is_object()) return TypeError(path, "an object");
    return *it;
  }

  // obj[key] as INI value text; nullopt when absent or null.
  static Result<std::optional<std::string>> Value(const json& obj, const std::string& key,
                                                  const std::string& path, json::value_t kind) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return std::optional<std::string>();
    const json& v = *it;
    switch (kind) {
      case json::value_t::string:
        if (!v.is_string()) return TypeError(path, "a string");
        return std::optional<std::string>(v.get<std::string>());
      case json::value_t::boolean:
        if (!v.is_boolean()) return TypeError(path, "true or false");
        return std::optional<std::string>(v.get<bool>() ? "yes" : "no");
      default:
        if (!v.is_number_integer()) return TypeError(path, "an integer");
        return std::optional<std::string>(v.dump());
    }
  }

  void Line(std::string text, std::string field) {
    text_ += text;
    text_ += '\n';
    fields_.push_back(std::move(field));
  }
  Status Key(std::string_view key, std::string_view value, const std::string& path) {
    if (std::any_of(value.begin(), value.end(), IsControl)) {
      return Status::InvalidArgument(fmt::format("{}: control characters are not allowed", path));
    }
    Line(fmt::format("{} = {}", key, QuoteIfNeeded(value, true)), path);
    return Status::Ok();
  }

  // Copies each listed field of `obj` into a key line if present (and, when
  // `skip_default`, not its type's zero value).
  Status Keys(const json& obj, const std::string& path,
              std::initializer_list<std::pair<std::string_view, json::value_t>> keys,
              bool skip_default) {
    for (const auto& [key, kind] : keys) {
      const std::string field = fmt::format("{}.{}", path, key);
      Result<std::optional<std::string>> v = Value(obj, std::string(key), field, kind);
      if (!v.ok()) return v.status();
      if (!v->has_value()) continue;
      if (skip_default && (v->value().empty() || (kind == json::value_t::boolean && **v == "no"))) {
        continue;
      }
      SIPREG_RETURN_IF_ERROR(Key(key, **v, field));
    }
    return Status::Ok();
  }

  Status Sip(const json& j) {
    Result<json> sip = Object(j, "sip", "sip");
    if (!sip.ok()) return sip.status();
    SIPREG_RETURN_IF_ERROR(OnlyFields(
        *sip, "sip",
        {"server", "outbound_proxy", "transport", "expires", "keepalive", "keepalive_interval",
         "local_port", "tls_verify", "tls_ca", "display_name", "register_rate", "dns_server"}));
    Line("[sip]", "sip");
    constexpr auto kStr = json::value_t::string;
    constexpr auto kInt = json::value_t::number_integer;
    return Keys(*sip, "sip",
                {{"server", kStr},
                 {"outbound_proxy", kStr},
                 {"transport", kStr},
                 {"expires", kInt},
                 {"keepalive", kStr},
                 {"keepalive_interval", kInt},
                 {"local_port", kInt},
                 {"tls_verify", json::value_t::boolean},
                 {"tls_ca", kStr},
                 {"display_name", kStr},
                 {"register_rate", kInt},
                 {"dns_server", kStr}},
                false);
  }

  Status Web(const json& j) {
    Result<json> web = Object(j, "web", "web");
    if (!web.ok()) return web.status();
    SIPREG_RETURN_IF_ERROR(OnlyFields(*web, "web", {"listen", "password"}));
    Line("[web]", "web");
    SIPREG_RETURN_IF_ERROR(Keys(*web, "web", {{"listen", json::value_t::string}}, false));
    Result<std::optional<std::string>> pw =
        Value(*web, "password", "web.password", json::value_t::string);
    if (!pw.ok()) return pw.status();
    return Key("password", pw->value_or(base_.web.password), "web.password");
  }

  Status Audio(const json& j) {
    Result<json> audio = Object(j, "audio", "audio");
    if (!audio.ok()) return audio.status();
    SIPREG_RETURN_IF_ERROR(OnlyFields(*audio, "audio", {"output"}));
    Line("[audio]", "audio");
    return Keys(*audio, "audio", {{"output", json::value_t::string}}, false);
  }

  Status Extensions(const json& j) {
    auto it = j.find("extensions");
    if (it == j.end() || it->is_null()) return Status::Ok();
    if (!it->is_array()) return TypeError("extensions", "an array");
    for (size_t i = 0; i < it->size(); ++i) {
      SIPREG_RETURN_IF_ERROR(Extension((*it)[i], fmt::format("extensions[{}]", i)));
    }
    return Status::Ok();
  }

  Status Extension(const json& e, const std::string& path) {
    if (!e.is_object()) return TypeError(path, "an object");
    SIPREG_RETURN_IF_ERROR(OnlyFields(
        e, path,
        {"id", "type", "enabled", "extension", "auth_id", "password", "audio", "duration",
         "cancel_extension", "cancel_auth_id", "cancel_password", "answer", "access_code"}));
    auto id_it = e.find("id");
    if (id_it == e.end() || !id_it->is_string()) return TypeError(path + ".id", "a string");
    const std::string id = id_it->get<std::string>();
    const std::optional<SectionClass> cls = ClassifySection(Lower(id));
    if (!cls || cls->kind != SectionKind::kExtension) {
      return Status::InvalidArgument(
          fmt::format("{}.id: '{}' is not an extension id (page, page.N, ring, ring.N, alert.N)",
                      path, Shown(id)));
    }
    Result<std::optional<std::string>> type =
        Value(e, "type", path + ".type", json::value_t::string);
    if (!type.ok()) return type.status();
    if (type->has_value() && **type != ExtensionTypeName(cls->type)) {
      return Status::InvalidArgument(
          fmt::format("{}.type: '{}' does not match id '{}'", path, Shown(**type), id));
    }
    Line(fmt::format("[{}]", id), path);
    constexpr auto kStr = json::value_t::string;
    constexpr auto kBool = json::value_t::boolean;
    SIPREG_RETURN_IF_ERROR(Keys(e, path, {{"enabled", kBool}, {"extension", kStr}}, false));
    SIPREG_RETURN_IF_ERROR(Keys(e, path, {{"auth_id", kStr}}, true));
    const ExtensionConfig* old = base_.Find(Lower(id));
    SIPREG_RETURN_IF_ERROR(Secret(e, path, "password", old ? old->password : ""));
    SIPREG_RETURN_IF_ERROR(Keys(e, path, {{"audio", kStr}}, true));
    if (auto d = e.find("duration"); d != e.end() && !d->is_null()) {
      if (!d->is_string() && !d->is_number_integer()) {
        return TypeError(path + ".duration", "seconds or \"until-cancelled\"");
      }
      const std::string v = d->is_string() ? d->get<std::string>() : d->dump();
      if (v != "0") SIPREG_RETURN_IF_ERROR(Key("duration", v, path + ".duration"));
    }
    SIPREG_RETURN_IF_ERROR(
        Keys(e, path, {{"cancel_extension", kStr}, {"cancel_auth_id", kStr}}, true));
    SIPREG_RETURN_IF_ERROR(Secret(e, path, "cancel_password", old ? old->cancel_password : ""));
    return Keys(e, path, {{"answer", kBool}, {"access_code", kStr}}, true);
  }

  // A password: absent or null keeps `kept`; empty ones are not written.
  Status Secret(const json& e, const std::string& path, const std::string& key,
                const std::string& kept) {
    const std::string field = path + "." + key;
    Result<std::optional<std::string>> v = Value(e, key, field, json::value_t::string);
    if (!v.ok()) return v.status();
    const std::string value = v->value_or(kept);
    if (value.empty()) return Status::Ok();
    return Key(key, value, field);
  }

  const DeviceConfig& base_;
  std::string text_;
  std::vector<std::string> fields_{""};  // fields_[line]: the JSON field of that line
};

}  // namespace

json ConfigToJson(const DeviceConfig& c, bool with_secrets) {
  json j;
  j["sip"] = {{"server", c.sip.server.ToString()},
              {"outbound_proxy", c.sip.outbound_proxy.ToString()},
              {"transport", TransportChoiceName(c.sip.transport)},
              {"expires", c.sip.expires},
              {"keepalive", KeepAliveMethodName(c.sip.keepalive)},
              {"keepalive_interval", c.sip.keepalive_interval},
              {"local_port", c.sip.local_port},
              {"tls_verify", c.sip.tls_verify},
              {"tls_ca", c.sip.tls_ca},
              {"display_name", c.sip.display_name},
              {"register_rate", c.sip.register_rate},
              {"dns_server", c.sip.dns_server.ToString()}};
  j["web"] = {{"listen", c.web.listen.empty() ? "off" : c.web.listen.ToString()}};
  if (with_secrets) j["web"]["password"] = c.web.password;
  j["audio"] = {{"output", c.audio.output}};
  json exts = json::array();
  for (const ExtensionConfig& e : c.extensions) {
    json x = {{"id", e.id},
              {"type", ExtensionTypeName(e.type)},
              {"enabled", e.enabled},
              {"extension", e.extension},
              {"auth_id", e.auth_id},
              {"audio", e.audio},
              {"cancel_extension", e.cancel_extension},
              {"cancel_auth_id", e.cancel_auth_id},
              {"answer", e.answer},
              {"access_code", e.access_code}};
    if (e.until_cancelled) {
      x["duration"] = "until-cancelled";
    } else {
      x["duration"] = e.duration;
    }
    if (with_secrets) {
      x["password"] = e.password;
      x["cancel_password"] = e.cancel_password;
    }
    exts.push_back(std::move(x));
  }
  j["extensions"] = std::move(exts);
  return j;
}

Result<DeviceConfig> ConfigFromJson(const json& j, const DeviceConfig& base) {
  try {
    return JsonToIni(base).Convert(j);
  } catch (const json::exception& e) {
    return Status::InvalidArgument(fmt::format("config: {}", e.what()));
  } catch (const std::exception& e) {
    return Status::Internal(fmt::format("config: {}", e.what()));
  }
}

}  // namespace sipreg::device
