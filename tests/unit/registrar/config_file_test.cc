#include "registrar/config_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <unistd.h>

namespace sipreg::registrar {
namespace {

// In-memory files for #include tests.
class Files {
 public:
  Files& Add(std::string name, std::string text) {
    files_[std::move(name)] = std::move(text);
    return *this;
  }
  ConfigFileReader Reader() const {
    return [this](const std::string& path) -> Result<std::string> {
      auto it = files_.find(path);
      if (it == files_.end()) return Status::NotFound("No such file or directory");
      return it->second;
    };
  }
  Result<ConfigFile> Load(const std::string& name) const {
    return ConfigFile::Load(name, Reader());
  }

 private:
  std::map<std::string, std::string> files_;
};

ConfigFile MustParse(std::string_view text, const std::string& name = "sip.conf") {
  Result<ConfigFile> f = ConfigFile::Parse(text, name);
  EXPECT_TRUE(f.ok()) << f.status().message();
  return f.ok() ? *f : ConfigFile();
}

std::string ErrorOf(std::string_view text, const std::string& name = "sip.conf") {
  Result<ConfigFile> f = ConfigFile::Parse(text, name);
  EXPECT_FALSE(f.ok());
  return f.ok() ? "" : f.status().message();
}

std::vector<std::string> Values(const ConfigSection& s, std::string_view key) {
  std::vector<std::string> out;
  for (const ConfigEntry& e : s.entries) {
    if (e.key == key) out.push_back(e.value);
  }
  return out;
}

TEST(ConfigFileTest, ReadsSectionsKeysAndLines) {
  ConfigFile f = MustParse("; leading comment\n[general]\nrealm = example.com\n\n[demo-bob]\n"
                           "  type=friend  ; trailing comment\n");
  ASSERT_EQ(f.sections().size(), 2u);
  EXPECT_EQ(f.sections()[0].name, "general");
  EXPECT_EQ(f.sections()[0].where.line, 2);
  const ConfigEntry* realm = f.sections()[0].Find("realm");
  ASSERT_NE(realm, nullptr);
  EXPECT_EQ(realm->value, "example.com");
  EXPECT_EQ(realm->where.file, "sip.conf");
  EXPECT_EQ(realm->where.line, 3);
  const ConfigEntry* type = f.sections()[1].Find("type");
  ASSERT_NE(type, nullptr);
  EXPECT_EQ(type->value, "friend");
  EXPECT_EQ(type->where.line, 6);
  EXPECT_EQ(type->section, "demo-bob");
}

TEST(ConfigFileTest, KeysAreLowercasedValuesKeepCase) {
  ConfigFile f = MustParse("[a]\nSecret = MiXeD\n");
  EXPECT_EQ(f.sections()[0].entries[0].key, "secret");
  EXPECT_EQ(f.sections()[0].entries[0].value, "MiXeD");
}

TEST(ConfigFileTest, ArrowAssignmentIsTheSameAsEquals) {
  ConfigFile f = MustParse("[a]\nregister => user:pw@host\nx=>1\n");
  EXPECT_EQ(f.sections()[0].Find("register")->value, "user:pw@host");
  EXPECT_EQ(f.sections()[0].Find("x")->value, "1");
}

TEST(ConfigFileTest, EscapedSemicolonIsKept) {
  ConfigFile f = MustParse("[a]\nsecret = pa\\;ss ; real comment\n");
  EXPECT_EQ(f.sections()[0].Find("secret")->value, "pa;ss");
}

TEST(ConfigFileTest, CrLfLineEndingsAreAccepted) {
  ConfigFile f = MustParse("[a]\r\nk = v\r\n");
  EXPECT_EQ(f.sections()[0].Find("k")->value, "v");
}

TEST(ConfigFileTest, BlockCommentsSpanLinesAndNest) {
  ConfigFile f = MustParse(
      "[a]\nk1 = 1 ;-- hidden\nk2 = 2\n;-- nested --;\nk3 = 3\n--; k4 = 4\nk5 = 5 ;-- x --; \n");
  const ConfigSection& s = f.sections()[0];
  EXPECT_NE(s.Find("k1"), nullptr);
  EXPECT_EQ(s.Find("k2"), nullptr);
  EXPECT_EQ(s.Find("k3"), nullptr);
  ASSERT_NE(s.Find("k4"), nullptr);
  EXPECT_EQ(s.Find("k4")->value, "4");
  EXPECT_EQ(s.Find("k5")->value, "5");
}

TEST(ConfigFileTest, UnterminatedBlockCommentNamesItsFirstLine) {
  EXPECT_EQ(ErrorOf("[a]\nk=1\n;-- forgot\nk=2\n"),
            "sip.conf:3: unterminated block comment ';--'");
}

TEST(ConfigFileTest, LineOutsideAnySectionIsAnError) {
  EXPECT_EQ(ErrorOf("; comment\n\ncontext=default\n[general]\n"),
            "sip.conf:3: line outside any section");
}

TEST(ConfigFileTest, LineWithoutEqualsIsAnError) {
  EXPECT_EQ(ErrorOf("[a]\nk=1\njustaword\n"), "sip.conf:3: expected 'key = value', not 'justaword'");
}

TEST(ConfigFileTest, MalformedHeadersAreErrors) {
  EXPECT_EQ(ErrorOf("[a\n"), "sip.conf:1: missing ']' in '[a'");
  EXPECT_EQ(ErrorOf("[]\n"), "sip.conf:1: empty section name '[]'");
  EXPECT_EQ(ErrorOf("[a] (!)\n"), "sip.conf:1: unexpected ' (!)' after [a]");
  EXPECT_EQ(ErrorOf("[a](!,)\n"), "sip.conf:1: empty option in [a]");
  EXPECT_EQ(ErrorOf("[a]\n = v\n"), "sip.conf:2: missing key in '= v'");
}

TEST(ConfigFileTest, TemplateIsMarkedAndInheritedEntriesComeFirst) {
  ConfigFile f = MustParse("[phones](!)\ntype=friend\nhost=dynamic\n[demo-bob](phones)\n"
                           "host=10.0.0.5\n");
  ASSERT_EQ(f.sections().size(), 2u);
  EXPECT_TRUE(f.sections()[0].is_template);
  const ConfigSection& bob = f.sections()[1];
  EXPECT_FALSE(bob.is_template);
  EXPECT_EQ(bob.templates, std::vector<std::string>{"phones"});
  EXPECT_EQ(Values(bob, "host"), (std::vector<std::string>{"dynamic", "10.0.0.5"}));
  EXPECT_EQ(bob.Find("host")->value, "10.0.0.5");  // the section's own key wins
  EXPECT_EQ(bob.Find("type")->where.line, 2);      // inherited: the template's line
  EXPECT_EQ(bob.Find("type")->section, "phones");
}

TEST(ConfigFileTest, LaterTemplateOverridesEarlierAndOwnKeysOverrideBoth) {
  ConfigFile f = MustParse("[t1](!)\na=1\nb=1\nc=1\n[t2](!)\nb=2\nc=2\n[s](t1,t2)\nc=3\n");
  const ConfigSection& s = f.sections()[2];
  EXPECT_EQ(s.Find("a")->value, "1");
  EXPECT_EQ(s.Find("b")->value, "2");
  EXPECT_EQ(s.Find("c")->value, "3");
  EXPECT_EQ(s.templates, (std::vector<std::string>{"t1", "t2"}));
}

TEST(ConfigFileTest, TemplateCanItselfInherit) {
  ConfigFile f = MustParse("[base](!)\na=1\n[phones](!,base)\nb=2\n[x](phones)\n");
  EXPECT_TRUE(f.sections()[1].is_template);
  EXPECT_EQ(f.sections()[2].Find("a")->value, "1");
  EXPECT_EQ(f.sections()[2].Find("b")->value, "2");
}

TEST(ConfigFileTest, UnknownTemplateIsAnError) {
  EXPECT_EQ(ErrorOf("[general]\n\n\n\n\n\n\n\n\n\n\n[demo-bob](phones)\n"),
            "sip.conf:12: unknown template 'phones'");
}

TEST(ConfigFileTest, TemplateMustBeDefinedBeforeUse) {
  EXPECT_EQ(ErrorOf("[x](later)\n[later](!)\n"), "sip.conf:1: unknown template 'later'");
}

TEST(ConfigFileTest, RepeatedKeysAreAllKeptInOrder) {
  ConfigFile f = MustParse("[a]\ndeny=0.0.0.0/0\npermit=10.0.0.0/8\npermit=192.168.0.0/16\n");
  EXPECT_EQ(Values(f.sections()[0], "permit"),
            (std::vector<std::string>{"10.0.0.0/8", "192.168.0.0/16"}));
  EXPECT_EQ(f.sections()[0].entries.size(), 3u);
}

TEST(ConfigFileTest, PlusEqualsAppendsToThePreviousValue) {
  ConfigFile f = MustParse("[a]\nallow=ulaw\nallow+=,alaw\ncallerid=\"Alice\"\ncallerid += <100>\n"
                           "fresh += x\n");
  const ConfigSection& s = f.sections()[0];
  EXPECT_EQ(Values(s, "allow"), std::vector<std::string>{"ulaw,alaw"});
  EXPECT_EQ(s.Find("allow")->where.line, 3);
  EXPECT_EQ(s.Find("callerid")->value, "\"Alice\" <100>");
  EXPECT_EQ(s.Find("fresh")->value, "x");  // nothing to append to: a plain setting
}

TEST(ConfigFileTest, PlusEqualsAppendsToAnInheritedValueWithoutChangingTheTemplate) {
  ConfigFile f = MustParse("[t](!)\ntransport=udp\n[s](t)\ntransport+=,tcp\n");
  EXPECT_EQ(f.sections()[0].Find("transport")->value, "udp");
  EXPECT_EQ(f.sections()[1].Find("transport")->value, "udp,tcp");
}

TEST(ConfigFileTest, PlusSectionAddsToTheExistingOne) {
  ConfigFile f = MustParse("[general]\na=1\n[bob]\nx=1\n[general](+)\nb=2\n");
  ASSERT_EQ(f.sections().size(), 2u);
  EXPECT_EQ(f.sections()[0].Find("b")->value, "2");
  EXPECT_EQ(ErrorOf("[nothere](+)\n"),
            "sip.conf:1: section 'nothere' to add to with (+) does not exist");
}

TEST(ConfigFileTest, IncludeIsRelativeToTheIncludingFile) {
  Files files;
  files.Add("etc/sip.conf", "[general]\n#include \"peers/users.conf\"\n")
      .Add("etc/peers/users.conf", "[demo-bob]\ntype=friend\n#include more.conf\n")
      .Add("etc/peers/more.conf", "[demo-alice]\ntype=friend\n");
  Result<ConfigFile> f = files.Load("etc/sip.conf");
  ASSERT_TRUE(f.ok()) << f.status().message();
  ASSERT_EQ(f->sections().size(), 3u);
  EXPECT_EQ(f->sections()[1].name, "demo-bob");
  EXPECT_EQ(f->sections()[1].where.file, "etc/peers/users.conf");
  EXPECT_EQ(f->sections()[2].where.file, "etc/peers/more.conf");
}

TEST(ConfigFileTest, IncludedLinesContinueTheIncludersSectionWhichThenCarriesOn) {
  Files files;
  files.Add("sip.conf", "[general]\n#include <general_custom.conf>\nrealm=r\n")
      .Add("general_custom.conf", "context=from-inc\n[other]\nk=v\n");
  Result<ConfigFile> f = files.Load("sip.conf");
  ASSERT_TRUE(f.ok()) << f.status().message();
  const ConfigSection& general = f->sections()[0];
  EXPECT_EQ(general.Find("context")->value, "from-inc");
  EXPECT_EQ(general.Find("context")->where.file, "general_custom.conf");
  EXPECT_EQ(general.Find("realm")->value, "r");
  EXPECT_EQ(f->sections()[1].Find("realm"), nullptr);
}

TEST(ConfigFileTest, IncludeLoopIsDetected) {
  Files files;
  files.Add("a.conf", "[x]\n#include b.conf\n").Add("b.conf", "\n\n#include \"./a.conf\"\n");
  Result<ConfigFile> f = files.Load("a.conf");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().message(), "b.conf:3: include loop: a.conf -> b.conf -> a.conf");
}

TEST(ConfigFileTest, SelfIncludeIsALoop) {
  Files files;
  files.Add("a.conf", "#include a.conf\n");
  EXPECT_EQ(files.Load("a.conf").status().message(), "a.conf:1: include loop: a.conf -> a.conf");
}

TEST(ConfigFileTest, MissingIncludeIsAnErrorButTryIncludeIsNot) {
  Files files;
  files.Add("sip.conf", "[a]\n#tryinclude optional.conf\nk=v\n#include missing.conf\n");
  Result<ConfigFile> f = files.Load("sip.conf");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().message(),
            "sip.conf:4: cannot include 'missing.conf': No such file or directory");
}

TEST(ConfigFileTest, ErrorsInsideAnIncludedFileNameThatFile) {
  Files files;
  files.Add("sip.conf", "[a]\n#include users.conf\n").Add("users.conf", "[b](nope)\n");
  EXPECT_EQ(files.Load("sip.conf").status().message(), "users.conf:1: unknown template 'nope'");
}

TEST(ConfigFileTest, BadDirectivesAreErrors) {
  EXPECT_EQ(ErrorOf("#exec /bin/true\n"), "sip.conf:1: '#exec' is not supported");
  EXPECT_EQ(ErrorOf("#frobnicate x\n"), "sip.conf:1: unknown directive '#frobnicate'");
  EXPECT_EQ(ErrorOf("#include\n"), "sip.conf:1: '#include' needs a file name");
}

TEST(ConfigFileTest, LoadsFilesAndIncludesFromDisk) {
  const std::filesystem::path dir = std::filesystem::path(testing::TempDir()) /
                                    ("cfgtest-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir / "conf.d");
  std::ofstream(dir / "sip.conf") << "[general]\n#include conf.d/peers.conf\n";
  std::ofstream(dir / "conf.d" / "peers.conf") << "[demo-bob]\ntype=friend\n";
  Result<ConfigFile> f = ConfigFile::Load((dir / "sip.conf").string());
  ASSERT_TRUE(f.ok()) << f.status().message();
  ASSERT_EQ(f->sections().size(), 2u);
  EXPECT_EQ(f->sections()[1].where.file, (dir / "conf.d" / "peers.conf").string());
  Result<ConfigFile> missing = ConfigFile::Load((dir / "absent.conf").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kIoError);
  EXPECT_EQ(missing.status().message(),
            (dir / "absent.conf").string() + ": cannot read: No such file or directory");
  std::filesystem::remove_all(dir);
}

ConfigEntry Entry(std::string key, std::string value) {
  return ConfigEntry{std::move(key), std::move(value), {"x.conf", 4}, "s"};
}

TEST(ConfigValueTest, YesNoAcceptsAsteriskWords) {
  for (const char* w : {"yes", "YES", "true", "y", "t", "1", "on"}) {
    EXPECT_TRUE(*ReadYesNo(Entry("k", w))) << w;
  }
  for (const char* w : {"no", "false", "n", "f", "0", "off"}) {
    EXPECT_FALSE(*ReadYesNo(Entry("k", w))) << w;
  }
  EXPECT_EQ(ReadYesNo(Entry("tcpenable", "maybe")).status().message(),
            "x.conf:4: 'tcpenable' must be yes or no, not 'maybe'");
}

TEST(ConfigValueTest, UintChecksRangeAndDigits) {
  EXPECT_EQ(*ReadUint(Entry("k", "42"), 1, 100, "seconds"), 42u);
  EXPECT_EQ(ReadUint(Entry("minexpiry", "0"), 1, 100, "seconds").status().message(),
            "x.conf:4: 'minexpiry' must be seconds from 1 to 100, not '0'");
  EXPECT_FALSE(ReadUint(Entry("k", "12s"), 1, 100, "seconds").ok());
  EXPECT_FALSE(ReadUint(Entry("k", ""), 0, 100, "seconds").ok());
  EXPECT_FALSE(ReadUint(Entry("k", "-1"), 0, 100, "seconds").ok());
  EXPECT_FALSE(ReadUint(Entry("k", "99999999999999999999999"), 0, 100, "seconds").ok());
}

TEST(ConfigValueTest, SecondsWithFractionBecomeMilliseconds) {
  EXPECT_EQ(*ReadSecondsAsMs(Entry("k", "3"), 60000), 3000u);
  EXPECT_EQ(*ReadSecondsAsMs(Entry("k", "3.5"), 60000), 3500u);
  EXPECT_EQ(*ReadSecondsAsMs(Entry("k", "0.025"), 60000), 25u);
  EXPECT_FALSE(ReadSecondsAsMs(Entry("k", "3."), 60000).ok());
  EXPECT_FALSE(ReadSecondsAsMs(Entry("k", ".5"), 60000).ok());
  EXPECT_FALSE(ReadSecondsAsMs(Entry("k", "1.2345"), 60000).ok());
  EXPECT_FALSE(ReadSecondsAsMs(Entry("k", "61"), 60000).ok());
  EXPECT_FALSE(ReadSecondsAsMs(Entry("k", "1.x"), 60000).ok());
}

TEST(ConfigValueTest, ListsSplitOnCommasAndSpaces) {
  EXPECT_EQ(SplitList(" udp, tcp ,,tls  ws"),
            (std::vector<std::string>{"udp", "tcp", "tls", "ws"}));
  EXPECT_TRUE(SplitList(" , ").empty());
}

TEST(ConfigValueTest, PermitDenyAppendRulesInOrder) {
  IpAcl acl;
  ASSERT_TRUE(ReadPermitDeny(Entry("deny", "0.0.0.0/0"), acl).ok());
  ASSERT_TRUE(ReadPermitDeny(Entry("permit", "10.0.0.0/8, 192.168.1.0/255.255.255.0"), acl).ok());
  EXPECT_TRUE(acl.Allows("10.1.2.3"));
  EXPECT_TRUE(acl.Allows("192.168.1.9"));
  EXPECT_FALSE(acl.Allows("8.8.8.8"));
  EXPECT_EQ(ReadPermitDeny(Entry("permit", "10.0.0.300"), acl).message(),
            "x.conf:4: 'permit' must be a network such as 192.168.1.0/24, not '10.0.0.300': "
            "'10.0.0.300' is not an IP address");
}

}  // namespace
}  // namespace sipreg::registrar
