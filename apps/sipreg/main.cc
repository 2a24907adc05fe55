// sipreg: the admin and troubleshooting CLI.
//   sipreg probe ...          registers once as a phone would and explains the outcome
//                             (exit 0 Successful, 1 Rejected by Server, 2 No reply from
//                             server, 3 usage or local error)
//   sipreg [-C SOCKET] CMD... any sipregd admin command over its control socket:
//                             sip show peers, sip show peer NAME, show bans, unban ADDR
//                             (exit 0, or 1 when sipregd answers an error or is unreachable)
#include <cctype>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/control_client.h"
#include "cli/probe_report.h"
#include "cli/probe_runner.h"

namespace {

constexpr int kUsageExit = 3;

int RunProbeCommand(const sipreg::cli::ProbeOptions& opts, bool json) {
  sipreg::cli::ProbeReport report = sipreg::cli::RunProbe(opts);
  if (json) {
    std::cout << sipreg::cli::RenderJson(report).dump(2) << "\n";
  } else {
    std::cout << sipreg::cli::RenderText(report);
  }
  return sipreg::cli::ExitCodeFor(report.verdict);
}

}  // namespace

// Everything that is not `probe` goes to sipregd's control socket as one line.
int RunAdminCommand(int argc, char** argv) {
  std::string socket = sipreg::cli::DefaultControlSocket();
  std::string line;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if ((arg == "-C" || arg == "--control") && i + 1 < argc) {
      socket = argv[++i];
      continue;
    }
    if (!line.empty()) line += ' ';
    line += arg;
  }
  auto answer = sipreg::cli::SendControlCommand(socket, line);
  if (!answer.ok()) {
    std::cerr << "sipreg: " << answer.status().message() << "\n";
    return 1;
  }
  std::cout << *answer;
  return answer->rfind("error: ", 0) == 0 ? 1 : 0;
}

int main(int argc, char** argv) {
  bool is_probe = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "-C" || arg == "--control") {
      ++i;
      continue;
    }
    is_probe = arg == "probe";
    break;
  }
  if (!is_probe && argc > 1 && std::string_view(argv[1]) != "--help" &&
      std::string_view(argv[1]) != "-h") {
    return RunAdminCommand(argc, argv);
  }

  CLI::App app{"sipreg: SIP registration admin and troubleshooting tool.\n"
               "Admin commands (sent to sipregd): sipreg [-C SOCKET] sip show peers | "
               "sip show peer NAME | show bans | unban ADDR [--json]"};
  app.require_subcommand(1);

  sipreg::cli::ProbeOptions opts;
  bool json = false;
  std::string transport = "udp";
  auto* probe = app.add_subcommand(
      "probe", "Register once as a phone would and explain what happened");
  probe->add_option("--server", opts.server, "Registrar (SIP Domain / Proxy Server): HOST[:PORT]")
      ->required();
  probe->add_option("--user", opts.user, "Extension (SIP user name)")->required();
  probe->add_option("--auth-id", opts.auth_id,
                    "Authentication ID, if it differs from the extension");
  probe->add_option("--password", opts.password, "Authentication password")->required();
  probe->add_option("--transport", transport, "udp, tcp or tls")
      ->check(CLI::IsMember({"udp", "tcp", "tls"}, CLI::ignore_case));
  probe->add_option("--outbound-proxy", opts.outbound_proxy,
                    "Send every request to this HOST[:PORT] instead of the server");
  probe->add_option("--domain", opts.domain, "SIP domain for the AOR (default: the server host)");
  probe->add_option("--expires", opts.expires, "Registration expiry to ask for, in seconds")
      ->check(CLI::Range(1u, 604800u));
  probe->add_flag("--unregister", opts.unregister, "Remove the registration (Expires: 0)");
  probe->add_option("--timeout", opts.timeout_seconds,
                    "Give up after this many seconds without a final answer")
      ->check(CLI::Range(0.1, 600.0));
  probe->add_option("--bind", opts.bind_ip, "Local IP address to send from");
  probe->add_flag("--insecure", opts.tls_insecure, "TLS: do not verify the server certificate");
  probe->add_flag("--json", json, "Print the report as JSON");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : kUsageExit;
  }

  if (*probe) {
    for (auto& ch : transport) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    opts.transport = transport == "tcp"   ? sipreg::sip::TransportKind::kTcp
                     : transport == "tls" ? sipreg::sip::TransportKind::kTls
                                          : sipreg::sip::TransportKind::kUdp;
    return RunProbeCommand(opts, json);
  }
  return kUsageExit;
}
