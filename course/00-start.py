# ---
# jupyter:
#   jupytext:
#     comment_magics: true
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 00 · Start here: the Client Access Server Lab
#
# This workbook teaches you to troubleshoot the Client Access side of Exchange 2013: the two IIS web
# sites, their bindings, the proxy from the front end to the back end on port 444, reading `netstat`
# and process IDs, recreating virtual directories, and naming certificates.
#
# You do not need a Windows server. Each notebook opens a **lab**: a simulated Exchange 2013 CU6
# organisation (`contoso.com`) running on Windows Server 2012 R2. You type the commands you would type
# on a real console, you get the text a real server prints, and you can break things without fear:
# a lab resets in one line.
#
# **In this notebook** (about 10 minutes):
#
# 1. check that your environment is ready;
# 2. open a lab and run your first commands in it;
# 3. learn how the checked exercises work, and do three small ones.

# %% [markdown]
# ## 1. Is everything ready?
#
# Run the next cell (click it, then press **Shift+Enter**). It checks Python, the packages the workbook
# uses, and that the simulated server answers. Every line should start with `ok`.

# %%
# NBVAL_IGNORE_OUTPUT
import casl

casl.doctor()

# %% [markdown]
# ## 2. Open a lab
#
# `casl.open_lab(name)` starts a lab. `single-server` is one multi-role server called **ServerA**: it
# holds both the Client Access role (the front end) and the Mailbox role (the back end), like the
# article's lab machine.
#
# Your lab is saved as you work, next to the notebook, so a kernel restart does not lose it. When you
# want a clean slate, call `lab.reset()` (the old state is kept as a backup file).

# %%
lab = casl.open_lab("single-server")
lab

# %% [markdown]
# ### Typing commands: `%%ps` and `%ps`
#
# A cell that starts with `%%ps ServerA` is not Python: every line after it is sent to the PowerShell
# console of ServerA, and the cell shows what the console printed. For a single command, `%ps` at the
# start of a line does the same on the lab's first server.
#
# Start the way an administrator would: load the IIS module and list the web sites.

# %%
# %%ps ServerA
Import-Module WebAdministration
Get-Website

# %% [markdown]
# Two sites: the **Default Web Site** (ID 1) and the **Exchange Back End** (ID 2). Keep that pair in mind;
# the whole course is about how requests travel from one to the other.
#
# Mistakes are answered the way PowerShell answers them, with the position of the problem. Try a typo:

# %%
# %ps Get-Websites

# %% [markdown]
# ### The same facts as a table
#
# Everything the console shows is also available as a pandas DataFrame, which is easier to sort, filter
# and compare. `lab.table(...)` knows `sites`, `bindings`, `applications`, `pools`, `services` and
# `processes`.

# %%
lab.table("sites")

# %% [markdown]
# ## 3. How exercises work
#
# Each exercise has two cells:
#
# * an **answer cell**, where you replace the `...` with your answer. Answer cells hold only plain
#   assignments such as `port = 80` or `names = {"a", "b"}`; for exercises where you must *do* something
#   on a server, the answer cell is a `%%ps` cell with the commands.
# * a **check cell** right after it, which you cannot edit. Run it to get feedback:
#   **Correct**, **Incorrect** (with what went wrong), **Not attempted**, or **Rejected** (the answer
#   cell did more than assign values).
#
# Stuck? `casl.exercise("ID").hint()` gives the first hint, `hint(2)` the next one, and `solution()`
# shows a solution. In an instructor-led lab, solutions may be held back until your instructor releases
# them. `casl.progress()` lists the exercises of this notebook and which ones you have done.
#
# For example, the first hint of the next exercise:

# %%
casl.exercise("start.frontend-https-port").hint()

# %% [markdown]
# And your progress so far in this notebook (run this cell again after the exercises):

# %%
casl.progress()

# %% [markdown]
# ### Exercise 1: where do clients connect?
#
# Browsers, Outlook and phones connect to one site only. On which **port** does that site accept HTTPS?
# Use the `%ps` line below to look, then write the number.

# %%
# %ps Get-WebBinding -Name 'Default Web Site'

# %% casl={"exercise": "start.frontend-https-port", "role": "answer"}
### BEGIN SOLUTION
frontend_port = 443
### END SOLUTION

# %% casl={"exercise": "start.frontend-https-port", "role": "check"}
casl.exercise("start.frontend-https-port").check()

# %% [markdown]
# ### Exercise 2: the site behind the front end
#
# The front end passes each request on to a second site on the same server (or on the server that holds
# the mailbox). What is that site's **name**?

# %% casl={"exercise": "start.backend-site", "role": "answer"}
### BEGIN SOLUTION
backend_site = "Exchange Back End"
### END SOLUTION

# %% casl={"exercise": "start.backend-site", "role": "check"}
casl.exercise("start.backend-site").check()

# %% [markdown]
# ### Exercise 3: the back end's HTTPS binding
#
# Write the back-end site's HTTPS binding the way `Get-WebBinding` prints it: the protocol, a space, then
# `address:port:host name` (for example `"http *:80:"`).

# %%
# %ps Get-WebBinding -Name 'Exchange Back End'

# %% casl={"exercise": "start.backend-https-binding", "role": "answer"}
### BEGIN SOLUTION
backend_binding = "https *:444:"
### END SOLUTION

# %% casl={"exercise": "start.backend-https-binding", "role": "check"}
casl.exercise("start.backend-https-binding").check()

# %% [markdown]
# ## Where next
#
# * **01 · IIS layout**: the two sites, their applications and pools, which process does what, what to
#   restart when, and how to compare a healthy server with a broken one.
# * Later notebooks follow a request from the browser to the mailbox, read `netstat` and process IDs,
#   recreate virtual directories and untangle certificate names.
#
# Everything you learn here applies on a real server: the commands are the real ones, and the workbook
# can read the outputs you bring from your own machines.
