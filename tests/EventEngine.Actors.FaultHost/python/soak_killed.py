"""
The soak's plugin that is killed with SIGKILL at random moments: fetches Seq events in batches (EngineClient) and
echoes each batch back as KillEcho<n> in one publication. Once connected it writes its pid to <pid file>, so the soak
only kills a process that got as far as its port. A batch it was killed in the middle of is handed out again to the
next process (at-least-once): echoes may repeat, never go missing.
"""
import os
import sys

from pyevents import EngineClient


def main():
    pid_file = sys.argv[1]
    with EngineClient() as client:
        announced = False
        for batch in client.batches(batch=100):
            client.publish_many([b"KillEcho" + frame[len(b"Seq"):] for frame in batch])
            if not announced:
                with open(pid_file + ".tmp", "w") as f:
                    f.write(str(os.getpid()))
                os.replace(pid_file + ".tmp", pid_file)
                announced = True


if __name__ == "__main__":
    sys.exit(main())
