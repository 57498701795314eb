#include "structlab/run/stop.hpp"

#include <unistd.h>

#include <atomic>
#include <csignal>

namespace structlab::run {
namespace {

std::atomic<int> requested_by{0};
std::atomic<bool> requested{false};
std::atomic<bool> interrupted_once{false};  // a first SIGINT came (a SIGTERM or request_stop() does not count)

extern "C" void on_stop_signal(int signal) {
  if (signal == SIGINT && interrupted_once.exchange(true)) {
    // a second Ctrl-C: the user does not want to wait for the checkpoint
    static const char message[] = "\nstructlab: second interrupt, exiting without a checkpoint\n";
    (void)!::write(STDERR_FILENO, message, sizeof(message) - 1);
    ::_exit(130);
  }
  requested_by.store(signal);
  requested.store(true);
}

}  // namespace

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int signal : {SIGTERM, SIGINT, SIGUSR1}) sigaction(signal, &action, nullptr);
}

bool stop_requested() { return requested.load(); }

int stop_signal() { return requested_by.load(); }

void request_stop() { requested.store(true); }

void clear_stop_request() {
  requested.store(false);
  requested_by.store(0);
  interrupted_once.store(false);
}

}  // namespace structlab::run
