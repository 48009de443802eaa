"""What the command-line tests share: a list of failed checks, running apical with an
expected exit status, and the exit status of the test itself.

    checks = Checks(apical)
    p = checks.run("run", "x.yaml", "-o", out)          # a wrong exit status is a failure
    checks.check(p.stdout.count("\\n") > 2, "prints a summary")
    checks.finish()                                      # exits 1 if anything failed
"""
import subprocess
import sys


class Checks:
    def __init__(self, apical, timeout=900):
        self.apical = apical
        self.timeout = timeout  # seconds per apical command: a hang fails, not blocks, the test
        self.failures = []

    def check(self, cond, what):
        if not cond:
            self.failures.append(what)
            print("FAIL:", what)
        return cond

    def run(self, *args, expect=0):
        p = subprocess.run([self.apical, *args], capture_output=True, text=True, timeout=self.timeout)
        if p.returncode != expect:
            print("FAIL: apical", " ".join(args), "exited", p.returncode, "expected", expect, "\n", p.stderr)
            self.failures.append("exit status of " + " ".join(args))
        return p

    def finish(self):
        print(f"{len(self.failures)} failures")
        sys.exit(1 if self.failures else 0)
