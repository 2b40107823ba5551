# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Test course: value answers
#
# Each answer cell assigns literal values; each check cell checks them.

# %%
import casl

# %% [markdown]
# Which port does the Exchange Back End site listen on for HTTPS?

# %% casl={"exercise": "testcourse.backend-port", "role": "answer"}
# Replace the ... with the port number.
### BEGIN SOLUTION
backend_port = 444
### END SOLUTION

# %% casl={"exercise": "testcourse.backend-port", "role": "check"}
casl.exercise("testcourse.backend-port").check()

# %% [markdown]
# Name the back-end site and write its HTTPS binding as IIS shows it.

# %% casl={"exercise": "testcourse.backend-binding", "role": "answer"}
### BEGIN SOLUTION
backend_site = "Exchange Back End"
backend_binding = "https *:444:"
### END SOLUTION

# %% casl={"exercise": "testcourse.backend-binding", "role": "check"}
casl.exercise("testcourse.backend-binding").check()

# %% casl={"exercise": "testcourse.san-names", "role": "answer"}
### BEGIN SOLUTION
san = ["mail.contoso.com", "autodiscover.contoso.com"]
### END SOLUTION

# %% casl={"exercise": "testcourse.san-names", "role": "check"}
casl.exercise("testcourse.san-names").check()

# %%
casl.exercise("testcourse.backend-port").hint(2)
