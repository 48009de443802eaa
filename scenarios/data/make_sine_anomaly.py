#!/usr/bin/env python3
"""Writes sine_anomaly.csv: a periodic series (period 20 rows, 5-minute rows from
2024-01-01 00:00 UTC) with an injected anomaly: rows 450-459 hold 110, outside the normal range 10..90, instead of
the sine. Used by scenarios/htm_anomaly.yaml and tests/cli/htm_anomaly.py.
usage: python3 make_sine_anomaly.py > sine_anomaly.csv"""
import datetime
import math

ROWS, PERIOD, ANOMALY = 600, 20, range(450, 460)
t0 = datetime.datetime(2024, 1, 1)
print("timestamp,value")
for k in range(ROWS):
    v = 50.0 + 40.0 * math.sin(2 * math.pi * k / PERIOD)
    if k in ANOMALY:
        v = 110.0
    t = t0 + datetime.timedelta(minutes=5 * k)
    print(f"{t:%Y-%m-%d %H:%M:%S},{v:.3f}")
