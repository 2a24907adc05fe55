#include "registrar/config_file.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace sipreg::registrar {
namespace {

constexpr int kMaxIncludeDepth = 32;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

Status LineError(const std::string& file, int line, std::string_view reason) {
  return Status::InvalidArgument(fmt::format("{}:{}: {}", file, line, reason));
}

}  // namespace

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Status ConfigEntry::Error(std::string_view reason) const {
  return LineError(where.file, where.line, reason);
}

Status ConfigEntry::BadValue(std::string_view expected) const {
  return Error(fmt::format("'{}' must be {}, not '{}'", key, expected, value));
}

const ConfigEntry* ConfigSection::Find(std::string_view key) const {
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    if (it->key == key) return &*it;
  }
  return nullptr;
}

// Builds a ConfigFile line by line, following #includes into the same section list.
class ConfigParser {
 public:
  ConfigParser(ConfigFile& out, const ConfigFileReader& reader) : out_(out), reader_(reader) {}

  // `current` is the section lines before the first header belong to (-1: none);
  // like Asterisk, an included file continues its includer's section, and the
  // includer carries on in its own section afterwards.
  Status ParseText(std::string_view text, const std::string& name, int current) {
    include_stack_.push_back(std::filesystem::path(name).lexically_normal().string());
    int comment_depth = 0;
    int comment_line = 0;
    int line_no = 0;
    size_t pos = 0;
    while (pos <= text.size()) {
      size_t eol = text.find('\n', pos);
      if (eol == std::string_view::npos) eol = text.size();
      std::string_view raw = text.substr(pos, eol - pos);
      pos = eol + 1;
      ++line_no;
      if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);

      std::string line;
      for (size_t i = 0; i < raw.size(); ++i) {
        const std::string_view rest = raw.substr(i);
        if (comment_depth > 0) {
          if (rest.starts_with(";--")) {
            ++comment_depth;
            i += 2;
          } else if (rest.starts_with("--;")) {
            --comment_depth;
            i += 2;
          }
          continue;
        }
        if (rest.starts_with("\\;")) {
          line += ';';
          ++i;
        } else if (rest.starts_with(";--")) {
          comment_depth = 1;
          comment_line = line_no;
          i += 2;
        } else if (raw[i] == ';') {
          break;
        } else {
          line += raw[i];
        }
      }
      const std::string_view content = Trim(line);
      if (content.empty()) continue;
      Status st;
      if (content.front() == '#') {
        st = Directive(content, name, line_no, current);
      } else if (content.front() == '[') {
        st = Header(content, name, line_no, current);
      } else {
        st = KeyValue(content, name, line_no, current);
      }
      if (!st.ok()) return st;
    }
    if (comment_depth > 0) return LineError(name, comment_line, "unterminated block comment ';--'");
    include_stack_.pop_back();
    return Status::Ok();
  }

 private:
  Status Directive(std::string_view content, const std::string& file, int line, int current) {
    size_t word_end = 1;
    while (word_end < content.size() &&
           !std::isspace(static_cast<unsigned char>(content[word_end])) && content[word_end] != '"' &&
           content[word_end] != '<') {
      ++word_end;
    }
    const std::string word = AsciiLower(content.substr(0, word_end));
    if (word == "#exec") return LineError(file, line, "'#exec' is not supported");
    const bool optional = word == "#tryinclude";
    if (word != "#include" && !optional) {
      return LineError(file, line, fmt::format("unknown directive '{}'", word));
    }
    std::string_view arg = Trim(content.substr(word_end));
    if (arg.size() >= 2 && ((arg.front() == '"' && arg.back() == '"') ||
                            (arg.front() == '<' && arg.back() == '>'))) {
      arg = Trim(arg.substr(1, arg.size() - 2));
    }
    if (arg.empty()) return LineError(file, line, fmt::format("'{}' needs a file name", word));

    std::filesystem::path target(arg);
    if (target.is_relative()) target = std::filesystem::path(file).parent_path() / target;
    const std::string target_name = target.string();
    const std::string key = target.lexically_normal().string();
    if (std::find(include_stack_.begin(), include_stack_.end(), key) != include_stack_.end()) {
      std::string chain;
      for (const std::string& f : include_stack_) chain += f + " -> ";
      return LineError(file, line, fmt::format("include loop: {}{}", chain, key));
    }
    if (include_stack_.size() >= kMaxIncludeDepth) {
      return LineError(file, line, fmt::format("includes nested deeper than {}", kMaxIncludeDepth));
    }
    Result<std::string> text = reader_(target_name);
    if (!text.ok()) {
      if (optional) return Status::Ok();
      return LineError(file, line, fmt::format("cannot include '{}': {}", target_name,
                                               text.status().message()));
    }
    return ParseText(*text, target_name, current);
  }

  Status Header(std::string_view content, const std::string& file, int line, int& current) {
    const size_t close = content.find(']');
    if (close == std::string_view::npos) {
      return LineError(file, line, fmt::format("missing ']' in '{}'", content));
    }
    const std::string name(Trim(content.substr(1, close - 1)));
    if (name.empty()) return LineError(file, line, "empty section name '[]'");
    std::string_view after = content.substr(close + 1);
    std::vector<std::string> options;
    if (!after.empty()) {
      if (after.front() != '(' || after.back() != ')') {
        return LineError(file, line, fmt::format("unexpected '{}' after [{}]", after, name));
      }
      after = after.substr(1, after.size() - 2);
      size_t start = 0;
      while (start <= after.size()) {
        size_t comma = after.find(',', start);
        if (comma == std::string_view::npos) comma = after.size();
        const std::string_view opt = Trim(after.substr(start, comma - start));
        if (opt.empty()) return LineError(file, line, fmt::format("empty option in [{}]", name));
        options.emplace_back(opt);
        start = comma + 1;
      }
    }

    bool is_template = false;
    bool add_to_existing = false;
    std::vector<std::string> templates;
    for (const std::string& opt : options) {
      if (opt == "!") {
        is_template = true;
      } else if (opt == "+") {
        add_to_existing = true;
      } else {
        templates.push_back(opt);
      }
    }

    std::vector<ConfigSection>& sections = out_.sections_;
    if (add_to_existing) {
      int found = -1;
      for (int i = static_cast<int>(sections.size()) - 1; i >= 0 && found < 0; --i) {
        if (sections[i].name == name) found = i;
      }
      if (found < 0) {
        return LineError(file, line, fmt::format("section '{}' to add to with (+) does not exist",
                                                 name));
      }
      current = found;
    } else {
      ConfigSection section;
      section.name = name;
      section.where = {file, line};
      section.is_template = is_template;
      sections.push_back(std::move(section));
      current = static_cast<int>(sections.size()) - 1;
    }
    for (const std::string& t : templates) {
      const int source = FindTemplate(t, current);
      if (source < 0) return LineError(file, line, fmt::format("unknown template '{}'", t));
      // Copy first: the insertion below may not alias the source.
      const std::vector<ConfigEntry> inherited = sections[source].entries;
      ConfigSection& target = sections[current];
      target.entries.insert(target.entries.end(), inherited.begin(), inherited.end());
      target.templates.push_back(t);
    }
    return Status::Ok();
  }

  // A template section of that name if there is one, else the latest section of
  // that name; never `self`.
  int FindTemplate(const std::string& name, int self) const {
    int any = -1;
    const std::vector<ConfigSection>& sections = out_.sections_;
    for (int i = static_cast<int>(sections.size()) - 1; i >= 0; --i) {
      if (i == self || sections[i].name != name) continue;
      if (sections[i].is_template) return i;
      if (any < 0) any = i;
    }
    return any;
  }

  Status KeyValue(std::string_view content, const std::string& file, int line, int current) {
    if (current < 0) return LineError(file, line, "line outside any section");
    ConfigSection& section = out_.sections_[current];
    const size_t eq = content.find('=');
    if (eq == std::string_view::npos) {
      return LineError(file, line, fmt::format("expected 'key = value', not '{}'", content));
    }
    std::string_view key = content.substr(0, eq);
    const bool append = !key.empty() && key.back() == '+';
    if (append) key.remove_suffix(1);
    key = Trim(key);
    if (key.empty()) return LineError(file, line, fmt::format("missing key in '{}'", content));
    std::string_view value = content.substr(eq + 1);
    if (!append && !value.empty() && value.front() == '>') value.remove_prefix(1);  // "=>"

    ConfigEntry entry;
    entry.key = AsciiLower(key);
    entry.where = {file, line};
    entry.section = section.name;
    if (append) {
      for (auto it = section.entries.rbegin(); it != section.entries.rend(); ++it) {
        if (it->key != entry.key) continue;
        // As Asterisk: the text after "+=" is appended as written (so
        // `callerid += <100>` keeps its space); the entry moves to this line.
        it->value = std::string(Trim(it->value + std::string(value)));
        it->where = entry.where;
        it->section = entry.section;
        return Status::Ok();
      }
    }
    entry.value = std::string(Trim(value));
    section.entries.push_back(std::move(entry));
    return Status::Ok();
  }

  ConfigFile& out_;
  const ConfigFileReader& reader_;
  std::vector<std::string> include_stack_;
};

Result<std::string> ConfigFile::ReadFromDisk(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return Status::IoError("is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(std::strerror(errno));
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return Status::IoError(std::strerror(errno));
  return buf.str();
}

Result<ConfigFile> ConfigFile::Load(const std::string& path) { return Load(path, ReadFromDisk); }

Result<ConfigFile> ConfigFile::Load(const std::string& path, const ConfigFileReader& reader) {
  Result<std::string> text = reader(path);
  if (!text.ok()) {
    return Status::IoError(fmt::format("{}: cannot read: {}", path, text.status().message()));
  }
  return Parse(*text, path, reader);
}

Result<ConfigFile> ConfigFile::Parse(std::string_view text, const std::string& name,
                                     const ConfigFileReader& reader) {
  ConfigFile file;
  file.path_ = name;
  ConfigParser parser(file, reader);
  SIPREG_RETURN_IF_ERROR(parser.ParseText(text, name, -1));
  return file;
}

Result<bool> ReadYesNo(const ConfigEntry& entry) {
  static constexpr std::string_view kTrue[] = {"yes", "true", "y", "t", "1", "on"};
  static constexpr std::string_view kFalse[] = {"no", "false", "n", "f", "0", "off"};
  for (std::string_view w : kTrue) {
    if (EqualsIgnoreCase(entry.value, w)) return true;
  }
  for (std::string_view w : kFalse) {
    if (EqualsIgnoreCase(entry.value, w)) return false;
  }
  return entry.BadValue("yes or no");
}

Result<uint32_t> ReadUint(const ConfigEntry& entry, uint32_t min, uint32_t max,
                          std::string_view unit) {
  uint64_t v = 0;
  const std::string& s = entry.value;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || v < min || v > max) {
    return entry.BadValue(fmt::format("{} from {} to {}", unit, min, max));
  }
  return static_cast<uint32_t>(v);
}

Result<uint32_t> ReadSecondsAsMs(const ConfigEntry& entry, uint32_t max_ms) {
  const std::string& s = entry.value;
  const size_t dot = s.find('.');
  const std::string_view whole = std::string_view(s).substr(0, dot);
  const std::string_view frac =
      dot == std::string::npos ? std::string_view() : std::string_view(s).substr(dot + 1);
  const std::string expected = fmt::format("seconds from 0 to {}", max_ms / 1000.0);
  if (whole.empty() || frac.size() > 3 || (dot != std::string::npos && frac.empty())) {
    return entry.BadValue(expected);
  }
  uint64_t secs = 0;
  auto [end, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), secs);
  if (ec != std::errc() || end != whole.data() + whole.size() || secs > max_ms / 1000) {
    return entry.BadValue(expected);
  }
  uint64_t ms = secs * 1000;
  uint64_t scale = 100;
  for (char c : frac) {
    if (c < '0' || c > '9') return entry.BadValue(expected);
    ms += static_cast<uint64_t>(c - '0') * scale;
    scale /= 10;
  }
  if (ms > max_ms) return entry.BadValue(expected);
  return static_cast<uint32_t>(ms);
}

Status ReadPermitDeny(const ConfigEntry& e, IpAcl& acl) {
  const std::vector<std::string> items = SplitList(e.value);
  if (items.empty()) return e.BadValue("a network such as 192.168.1.0/24");
  for (const std::string& item : items) {
    Result<IpNetwork> net = IpNetwork::Parse(item);
    if (!net.ok()) {
      return e.Error(fmt::format("'{}' must be a network such as 192.168.1.0/24, not '{}': {}",
                                 e.key, item, net.status().message()));
    }
    if (e.key == "permit") {
      acl.Permit(*net);
    } else {
      acl.Deny(*net);
    }
  }
  return Status::Ok();
}

std::vector<std::string> SplitList(std::string_view value) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : value) {
    if (c == ',' || std::isspace(static_cast<unsigned char>(c))) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

}  // namespace sipreg::registrar
