# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Test course: an action answer
#
# The setup cell moves the back end's https binding to 445; the learner moves it back.

# %%
import casl
lab = casl.open_lab("single-server", fresh=True)
lab.run("ServerA", "Set-WebBinding -Name 'Exchange Back End' -BindingInformation '*:444:' -PropertyName Port -Value 445");

# %% casl={"exercise": "testcourse.fix-backend-port", "role": "answer"}
# %%ps ServerA
### BEGIN SOLUTION
Set-WebBinding -Name 'Exchange Back End' -BindingInformation '*:445:' -PropertyName Port -Value 444
### END SOLUTION

# %% casl={"exercise": "testcourse.fix-backend-port", "role": "check"}
casl.exercise("testcourse.fix-backend-port").check()

# %%
# %ps ServerA: Get-WebBinding -Name 'Exchange Back End'
