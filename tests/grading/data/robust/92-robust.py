# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Test course: a check that misbehaves on purpose
#
# The grader's robustness tests use this notebook: its check hangs or ends the kernel for some
# answers, standing for a catalog check with a bug that a learner's (literal) answer triggers.

# %%
import casl

# %% casl={"exercise": "testcourse.robust", "role": "answer"}
### BEGIN SOLUTION
mode = "ok"
### END SOLUTION

# %% casl={"exercise": "testcourse.robust", "role": "check"}
casl.exercise("testcourse.robust").check()
