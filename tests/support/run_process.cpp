#include "support/run_process.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace structlab::testing {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

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
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exit_code = 128 + WTERMSIG(status);
  }
  result.out = slurp(out_path);
  result.err = slurp(err_path);
  std::filesystem::remove_all(dir);
  return result;
}

ProcessResult run_structlab(const std::string& arguments) {
  return run_process(std::string("'") + STRUCTLAB_TEST_CLI + "' " + arguments);
}

}  // namespace structlab::testing
