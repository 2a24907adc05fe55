// ConfigFile: one Asterisk-syntax configuration file (sip.conf, pjsip.conf, ...)
// read into sections of ordered key/value entries, each remembering FILE:LINE.
// Handles what Asterisk's config.c does: `;` comments, nested `;-- --;` block
// comments, `\;` escapes, `[name]`, `[name](!)` templates, `[name](tmpl1,tmpl2)`
// inheritance (also `(!,tmpl)`), `[name](+)` additions, `#include` / `#tryinclude`
// (relative to the including file, loops detected), `key = value`, `key => value`
// and `key += more`. It knows nothing about what the keys mean: the dialect readers
// (sip_conf.h, pjsip_conf.h) do. Errors are "FILE:LINE: reason".
//
// Also here: small readers for entry values (yes/no, numbers, lists) shared by
// the dialects, so every "bad value" message has the same shape.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "registrar/account.h"

namespace sipreg::registrar {

struct ConfigEntry {
  std::string key;       // lowercased (Asterisk modules compare keys case-insensitively)
  std::string value;     // trimmed, comments removed, `\;` unescaped, quotes kept
  SourceLocation where;  // the line it was written on (a template's line if inherited)
  std::string section;   // the section it was written in (the template's name if inherited)

  // InvalidArgument "FILE:LINE: reason".
  Status Error(std::string_view reason) const;
  // "FILE:LINE: 'key' must be <expected>, not '<value>'".
  Status BadValue(std::string_view expected) const;
};

struct ConfigSection {
  std::string name;
  SourceLocation where;  // the [header] line
  bool is_template = false;             // [name](!)
  std::vector<std::string> templates;   // [name](a,b): inherited from, in order
  // Inherited entries first (in template order, copied when the header was read,
  // as Asterisk does), then the section's own lines in file order. Repeated keys
  // are all kept: readers take the last one for single-valued keys and every one
  // for multi-valued keys such as permit/deny.
  std::vector<ConfigEntry> entries;

  // The last entry with this (lowercase) key, or nullptr.
  const ConfigEntry* Find(std::string_view key) const;
};

// Reads a whole file; the default reads from disk. Tests pass an in-memory one.
using ConfigFileReader = std::function<Result<std::string>(const std::string& path)>;

class ConfigFile {
 public:
  // Reads `path` (and its #includes) from disk. Messages name files as given:
  // "sip.conf:3: ..." for "sip.conf", "/etc/asterisk/users.conf:1: ..." for an
  // include of "/etc/asterisk/sip.conf".
  static Result<ConfigFile> Load(const std::string& path);
  // Same, with a custom reader for `path` and its includes.
  static Result<ConfigFile> Load(const std::string& path, const ConfigFileReader& reader);
  // Parses `text` as the content of a file called `name`; includes go to `reader`.
  static Result<ConfigFile> Parse(std::string_view text, const std::string& name,
                                  const ConfigFileReader& reader = ReadFromDisk);

  static Result<std::string> ReadFromDisk(const std::string& path);

  const std::string& path() const { return path_; }
  const std::vector<ConfigSection>& sections() const { return sections_; }

 private:
  friend class ConfigParser;
  std::string path_;
  std::vector<ConfigSection> sections_;
};

// Value readers. Each returns the value or entry.BadValue(...) / entry.Error(...).
// Asterisk's ast_true/ast_false words: yes/true/y/t/1/on, no/false/n/f/0/off.
Result<bool> ReadYesNo(const ConfigEntry& entry);
// Decimal integer in [min, max]; `unit` names it in the message ("seconds").
Result<uint32_t> ReadUint(const ConfigEntry& entry, uint32_t min, uint32_t max,
                          std::string_view unit);
// Decimal seconds with up to 3 fractional digits ("3", "3.5") -> milliseconds.
Result<uint32_t> ReadSecondsAsMs(const ConfigEntry& entry, uint32_t max_ms);
// permit=/deny= value (a network, or a comma/space list of them) appended to acl
// as permit or deny rules according to entry.key.
Status ReadPermitDeny(const ConfigEntry& entry, IpAcl& acl);
// Splits on commas and whitespace, drops empty items.
std::vector<std::string> SplitList(std::string_view value);

// Lowercase ASCII copy.
std::string AsciiLower(std::string_view s);

}  // namespace sipreg::registrar
