"""Exercises of notebook 04 (virtual directories): back up first, recreate on the right site, restore
the customised URLs, and bring the Exchange Management Shell back by repairing the PowerShell directory.

Every action check reads the lab (virtual directory objects, the server's files, the remote shell's
health) and tries requests only in :meth:`casl.labs.Lab.copy`.
"""
from __future__ import annotations

from casl.exercises import Check, Exercise, Incorrect, NotAttempted, Wrong, normalise
from casl.facts.iis import SITES

NOTEBOOK = "04-virtual-directories"
FRONT_SITE, BACK_SITE = (site.name for site in SITES)
OWA = "https://mail.contoso.com/owa"
CUSTOM_URL = "https://mail.contoso.com/owa"      # what labs/vdirs-exercises.toml set before the learner came
BACKUP_DIR = "C:\\Backup"
SNAPIN = "Add-PSSnapin Microsoft.Exchange.Management.PowerShell.SnapIn"


def _vdir(lab, site: str):
    from casl.model import vdirs
    return vdirs.find(lab.server("ServerA"), "owa", site)


def _start_guid(lab, site: str) -> str | None:
    v = _vdir(lab.baseline(), site)
    return v.guid if v else None


# --- value checks ---------------------------------------------------------------------------
def _missing_module(missing_module):
    hints = {"wsman": "WSMan is there on both servers; it serves the back end's PowerShell directory",
             "httpproxy": "HttpProxy is listed on both servers",
             "windowsauthenticationmodule": "both servers list it: IIS's own modules are the same on both"}
    if missing_module.lower() != "kerbauth":
        raise Incorrect(hints.get(missing_module.lower(), f"{missing_module} is listed on ServerA too; compare the "
                                                          "two listings with Compare-Object"))


def _snapin(snapin_command):
    wanted = normalise.command_line(SNAPIN)
    if snapin_command != wanted:
        first = snapin_command[0].name if snapin_command else ""
        if first.lower() == "import-pssession":
            raise Incorrect("Import-PSSession needs a working remote session, which is exactly what is broken")
        raise Incorrect("that does not load Exchange's cmdlets into the local console; the snap-in does")


# --- action checks --------------------------------------------------------------------------
def _shell_fixed(lab):
    from casl.model.psvdir import remote_shell_status
    now = remote_shell_status(lab, "ServerA")
    if now.ok:
        return
    start = remote_shell_status(lab.baseline(), "ServerA")
    if now.code == start.code and now.reason == start.reason:
        raise NotAttempted(f"the Exchange Management Shell still cannot connect to ServerA: {now.reason}")
    raise Incorrect(f"the shell still cannot connect ({now.reason})")


def _backend_exists(lab):
    v = _vdir(lab, BACK_SITE)
    front = _vdir(lab, FRONT_SITE)
    if front is None or front.guid != _start_guid(lab, FRONT_SITE):
        raise Incorrect(f"the {FRONT_SITE}'s OWA directory was healthy and has been replaced: its customised URLs "
                        "are gone. Only the back end's was missing")
    if v is None:
        raise NotAttempted(f"ServerA still has no OWA virtual directory on the {BACK_SITE}")


def _backend_serves(lab):
    _backend_exists(lab)
    result = lab.copy().browse("UserA", OWA)
    if result.outcome != "ok":
        hop = result.failed_hop
        raise Incorrect(f"UserA still gets {result.outcome}"
                        + (f" ({hop.detail})" if hop else "") + "; has IIS loaded the new directory?")


def _backup_file(lab) -> str | None:
    from casl.parse import formatlist
    fs = lab.server("ServerA").fs
    if not fs.is_dir(BACKUP_DIR):
        return None
    for name, f in fs.listdir(BACKUP_DIR):
        if f is None:
            continue
        try:
            records = formatlist.parse(f.text)
        except Exception:      # noqa: BLE001 - any unreadable file is simply not a backup
            continue
        for r in records:
            if str(r.get("Name", "")).lower() == f"owa ({FRONT_SITE})".lower():
                return name if str(r.get("ExternalUrl", "")).lower() == CUSTOM_URL.lower() else ""
    return None


def _backed_up(lab):
    found = _backup_file(lab)
    if found is None:
        raise NotAttempted(f"no Format-List listing of owa ({FRONT_SITE}) is in {BACKUP_DIR} on ServerA")
    if found == "":
        raise Incorrect("the listing in the backup folder no longer shows the customised ExternalUrl: it was taken "
                        "after the settings were lost")


def _recreated(lab):
    v = _vdir(lab, FRONT_SITE)
    if v is not None and v.guid == _start_guid(lab, FRONT_SITE):
        raise NotAttempted(f"owa ({FRONT_SITE}) is the original object: it has not been re-created")
    if v is None:
        raise Incorrect(f"owa ({FRONT_SITE}) was removed but not created again")


def _urls_restored(lab):
    _recreated(lab)
    settings = _vdir(lab, FRONT_SITE).settings
    wrong = [f"{k} is {settings.get(k) or 'empty'}" for k in ("InternalUrl", "ExternalUrl")
             if str(settings.get(k) or "").lower().rstrip("/") != CUSTOM_URL]
    if wrong:
        raise Incorrect(f"{'; '.join(wrong)}: the backup says {CUSTOM_URL} for both")


def _reset_serves(lab):
    _urls_restored(lab)
    # UserB: ServerA's front end, but ServerB's back end, so the other exercise's back end does not count
    result = lab.copy().browse("UserB", OWA)
    if result.outcome != "ok":
        raise Incorrect(f"OWA answers {result.outcome} ({result.status}): the re-created directory serves only "
                        "after IIS restarts; iisreset /noforce does it gracefully")


EXERCISES = (
    Exercise(
        id="vdirs.missing-module",
        title="The module the PowerShell directory lost",
        notebook=NOTEBOOK,
        kind="value",
        reads={"missing_module": normalise.text},
        check=_missing_module,
        points=1,
        hints=(
            "Save the module list of Default Web Site/PowerShell on ServerA and on ServerB, then compare them.",
            'appcmd list modules /app.name:"Default Web Site/PowerShell" > C:\\mods.txt on each server.',
        ),
        solution='missing_module = "kerbauth"',
        wrong=(
            Wrong("WSMan", "WSMan is there on both servers; it serves the back end's PowerShell directory"),
        ),
    ),
    Exercise(
        id="vdirs.snapin",
        title="Exchange cmdlets without remote PowerShell",
        notebook=NOTEBOOK,
        kind="value",
        reads={"snapin_command": normalise.command_line},
        check=_snapin,
        points=1,
        hints=("PowerShell can load Exchange's cmdlets into the console from the local installation.",
               "Add-PSSnapin takes the snap-in's name."),
        solution=f'snapin_command = "{SNAPIN}"',
        wrong=(
            Wrong("Import-PSSession $Session", "Import-PSSession needs a working remote session, which is exactly "
                                              "what is broken"),
        ),
    ),
    Exercise(
        id="vdirs.fix-powershell",
        title="Give the PowerShell directory its module back",
        notebook=NOTEBOOK,
        kind="action",
        server="ServerA",
        checks=(Check(2, _shell_fixed, "shell connects"),),
        hints=(
            "appcmd can add a module to one application with /app.name.",
            'appcmd add module /name:kerbauth /app.name:"Default Web Site/PowerShell"',
        ),
        solution='appcmd add module /name:kerbauth /app.name:"Default Web Site/PowerShell"',
        wrong=(
            Wrong('appcmd add module /name:kerbauth /app.name:"Default Web Site/"',
                  "the shell still cannot connect"),
        ),
    ),
    Exercise(
        id="vdirs.recreate-backend-owa",
        title="Recreate OWA on the right site",
        notebook=NOTEBOOK,
        kind="action",
        server="ServerA",
        checks=(Check(1, _backend_exists, "on the back end"), Check(2, _backend_serves, "serves again")),
        hints=(
            "New-OwaVirtualDirectory takes the site with -WebSiteName and the role with -Role.",
            "The back end is the Mailbox role's site; IIS must load the new directory before it serves.",
            f"New-OwaVirtualDirectory -Server ServerA -Role Mailbox -WebSiteName '{BACK_SITE}', then "
            "iisreset /noforce",
        ),
        solution=(f"{SNAPIN}\nNew-OwaVirtualDirectory -Server ServerA -Role Mailbox -WebSiteName '{BACK_SITE}'\n"
                  "iisreset /noforce"),
        wrong=(
            Wrong(f"{SNAPIN}\nNew-OwaVirtualDirectory -Server ServerA -Role Mailbox -WebSiteName '{BACK_SITE}'",
                  "has IIS loaded the new directory?", points=1),
            Wrong(f"{SNAPIN}\nRemove-OwaVirtualDirectory 'ServerA\\owa ({FRONT_SITE})' -Confirm:$false\n"
                  f"New-OwaVirtualDirectory -Server ServerA -Role ClientAccess -WebSiteName '{FRONT_SITE}'",
                  "Only the back end's was missing"),
        ),
    ),
    Exercise(
        id="vdirs.backup-owa",
        title="Back up before you reset",
        notebook=NOTEBOOK,
        kind="action",
        server="ServerA",
        checks=(Check(1, _backed_up, "backup"),),
        hints=(
            "Get-OwaVirtualDirectory with the identity, piped to Format-List, redirected to a file.",
            f"Get-OwaVirtualDirectory 'ServerA\\owa ({FRONT_SITE})' | Format-List > {BACKUP_DIR}\\owa.txt",
        ),
        solution=f"{SNAPIN}\nGet-OwaVirtualDirectory 'ServerA\\owa ({FRONT_SITE})' | Format-List > {BACKUP_DIR}\\owa.txt",
        wrong=(
            Wrong(f"{SNAPIN}\nGet-OwaVirtualDirectory 'ServerA\\owa ({FRONT_SITE})' | Format-List > C:\\owa.txt",
                  f"no Format-List listing of owa ({FRONT_SITE}) is in {BACKUP_DIR}"),
        ),
    ),
    Exercise(
        id="vdirs.reset-and-restore",
        title="Reset OWA from the shell and restore its URLs",
        notebook=NOTEBOOK,
        kind="action",
        server="ServerA",
        checks=(Check(1, _recreated, "re-created"), Check(1, _urls_restored, "urls"),
                Check(1, _reset_serves, "serves")),
        hints=(
            "Remove-OwaVirtualDirectory, then New-OwaVirtualDirectory on the same site with -Role ClientAccess.",
            "Read the URLs from your backup file (Get-Content), then Set-OwaVirtualDirectory -InternalUrl "
            "-ExternalUrl.",
            "Finish with a graceful restart: iisreset /noforce.",
        ),
        solution=(f"{SNAPIN}\nRemove-OwaVirtualDirectory 'ServerA\\owa ({FRONT_SITE})' -Confirm:$false\n"
                  f"New-OwaVirtualDirectory -Server ServerA -Role ClientAccess -WebSiteName '{FRONT_SITE}'\n"
                  f"Set-OwaVirtualDirectory 'ServerA\\owa ({FRONT_SITE})' -InternalUrl {CUSTOM_URL} "
                  f"-ExternalUrl {CUSTOM_URL}\niisreset /noforce"),
        wrong=(
            Wrong(f"{SNAPIN}\nRemove-OwaVirtualDirectory 'ServerA\\owa ({FRONT_SITE})' -Confirm:$false\n"
                  f"New-OwaVirtualDirectory -Server ServerA -Role ClientAccess -WebSiteName '{FRONT_SITE}'\n"
                  "iisreset /noforce", "the backup says", points=1),
            Wrong(f"{SNAPIN}\nRemove-OwaVirtualDirectory 'ServerA\\owa ({FRONT_SITE})' -Confirm:$false\n"
                  f"New-OwaVirtualDirectory -Server ServerA -Role ClientAccess -WebSiteName '{FRONT_SITE}'\n"
                  f"Set-OwaVirtualDirectory 'ServerA\\owa ({FRONT_SITE})' -InternalUrl {CUSTOM_URL} "
                  f"-ExternalUrl {CUSTOM_URL}", "the re-created directory serves only after IIS restarts", points=2),
        ),
    ),
)
