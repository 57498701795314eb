#include "support/run_process.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wordexp.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <iostream>
#include <sstream>
#include <vector>

#include "structlab/cli_main.hpp"
#include "structlab/runtime.hpp"

namespace structlab::testing {
namespace {

/// The exit status a child left, as a shell reports it (128 + signal when killed).
int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string make_temp_dir(const std::string& tag) {
  std::random_device device;
  auto dir = std::filesystem::temp_directory_path() /
             ("structlab-test-" + tag + "-" + std::to_string(getpid()) + "-" + std::to_string(device()));
  std::filesystem::create_directories(dir);
  return dir.string();
}

ProcessResult run_process(const std::string& command) {
  std::string dir = make_temp_dir("proc");
  std::string out_path = dir + "/out", err_path = dir + "/err";
  int status = std::system((command + " >" + out_path + " 2>" + err_path + " </dev/null").c_str());
  ProcessResult result;
  result.exit_code = exit_code_of(status);
  result.out = read_text(out_path);
  result.err = read_text(err_path);
  std::filesystem::remove_all(dir);
  return result;
}

namespace {

/// In the child: standard input from /dev/null, output and errors to the given files.
void redirect_standard_streams(const std::string& out_path, const std::string& err_path) {
  const int in = ::open("/dev/null", O_RDONLY);
  const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (in < 0 || out < 0 || err < 0) ::_exit(125);
  ::dup2(in, STDIN_FILENO);
  ::dup2(out, STDOUT_FILENO);
  ::dup2(err, STDERR_FILENO);
  ::close(in);
  ::close(out);
  ::close(err);
}

/// Runs structlab::cli::main in a forked child of this process, which has LibTorch loaded and initialised
/// already: the same program and exit path as `structlab`, without its ~0.7 s start-up.
ProcessResult run_cli_in_child(std::vector<char*> argv) {
  const std::string dir = make_temp_dir("cli");
  const std::string out_path = dir + "/out", err_path = dir + "/err";
  // what this process has buffered must not be written again by the child
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  const pid_t child = ::fork();
  if (child == 0) {
    redirect_standard_streams(out_path, err_path);
    const int status = structlab::cli::main(static_cast<int>(argv.size()) - 1, argv.data());
    // Every file the command opened is closed when cli::main returns; skip the static destructors (LibTorch's
    // take ~0.25 s). The tests that exec the real program (signals, locks, /dev/full) cover the normal exit.
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    ::_exit(status);
  }
  ProcessResult result;
  int status = 0;
  if (child > 0 && ::waitpid(child, &status, 0) == child) result.exit_code = exit_code_of(status);
  result.out = read_text(out_path);
  result.err = read_text(err_path);
  std::filesystem::remove_all(dir);
  return result;
}

}  // namespace

ProcessResult run_structlab(const std::string& arguments) {
  // Arguments are split and expanded as the shell would (quotes, $VARIABLES, globs). The child runs the
  // command line in a copy of this process, so that copy must not inherit a running OpenMP thread team
  // (GNU OpenMP's threads do not survive fork): with more than one LibTorch thread here, or with shell
  // syntax that needs a shell (redirections, pipes), the program itself runs through /bin/sh.
  wordexp_t words{};
  const bool split = ::wordexp(arguments.c_str(), &words, WRDE_NOCMD) == 0;
  if (split && structlab::runtime_info().threads == 1) {
    std::string program = "structlab";
    std::vector<char*> argv{program.data()};
    for (std::size_t i = 0; i < words.we_wordc; ++i) argv.push_back(words.we_wordv[i]);
    argv.push_back(nullptr);
    ProcessResult result = run_cli_in_child(argv);
    ::wordfree(&words);
    return result;
  }
  if (split) ::wordfree(&words);
  return run_process(std::string("'") + STRUCTLAB_TEST_CLI + "' " + arguments);
}

}  // namespace structlab::testing
