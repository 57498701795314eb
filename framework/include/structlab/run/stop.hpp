#pragma once
/// \file
/// Stopping runs on request: SIGTERM (Slurm's time limit or preemption), SIGINT (Ctrl-C) and SIGUSR1 ask every
/// run of the process to stop at its next step boundary, save a checkpoint and end as "interrupted".

namespace structlab::run {

/// Exit status of a process whose runs were interrupted and can be resumed (EX_TEMPFAIL).
constexpr int kExitInterrupted = 75;

/// Installs the handlers for SIGTERM, SIGINT and SIGUSR1. The first signal requests a stop; a second SIGINT
/// ends the process at once with status 130, without checkpointing.
void install_stop_handlers();

/// True once a stop was requested (by a signal or request_stop()).
bool stop_requested();

/// The signal that requested the stop, or 0.
int stop_signal();

/// Requests a stop as a signal would (for embedding programs and tests).
void request_stop();

/// Forgets a stop request (for embedding programs and tests that go on running).
void clear_stop_request();

}  // namespace structlab::run
