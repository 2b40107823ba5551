"""Writing the logs a real server keeps into the lab's file system, in their real formats.

* IIS W3C (``C:\\inetpub\\logs\\LogFiles\\W3SVC<id>\\u_exYYMMDD.log``): a header block when the file
  starts, space-separated fields, ``-`` for empty, spaces in values written as ``+``.
* http.sys HTTPERR: the requests http.sys answered itself (no site, stopped pool).
* Exchange HttpProxy (``...\\Logging\\HttpProxy\\<Protocol>\\HttpProxy_YYYYMMDDHH-1.LOG``): CSV with the
  69 CU7+ columns, a bare column line first and then the ``#`` header, as the 2013 logs start.

>>> from casl.model.fs import FileSystem
>>> from datetime import datetime, timezone
>>> fs = FileSystem(); t = datetime(2014, 10, 2, 9, 30, tzinfo=timezone.utc)
>>> path = write_w3c(fs, 1, t, {"s-ip": "10.0.0.11", "cs-method": "GET", "cs-uri-stem": "/owa/", "s-port": 443,
...                              "c-ip": "10.0.0.50", "sc-status": 200, "time-taken": 15})
>>> fs.read(path).splitlines()[4]
'2014-10-02 09:30:00 10.0.0.11 GET /owa/ - 443 - 10.0.0.50 - - 200 0 0 15'
"""
from __future__ import annotations

import ntpath
from datetime import datetime

from casl.facts import exchange as xfacts
from casl.facts import logs as lfacts


def _w3c_value(v) -> str:
    if v is None or v == "":
        return "-"
    return str(v).replace(" ", "+")


def _ensure(fs, path: str, header: str, when: datetime) -> None:
    if not fs.exists(path):
        fs.write(path, header, when=when)


def write_w3c(fs, site_id: int, when: datetime, fields: dict) -> str:
    """Append one request to the site's W3C log; returns the file's path."""
    folder = lfacts.W3C_FOLDER.format(site_id=site_id)
    path = ntpath.join(folder, lfacts.W3C_FILE.format(yymmdd=when.strftime("%y%m%d")))
    header = (f"#Software: {lfacts.IIS_SOFTWARE}\n#Version: 1.0\n#Date: {when:%Y-%m-%d %H:%M:%S}\n"
              f"#Fields: {' '.join(lfacts.W3C_FIELDS)}\n")
    _ensure(fs, path, header, when)
    row = {"date": f"{when:%Y-%m-%d}", "time": f"{when:%H:%M:%S}", "sc-substatus": 0, "sc-win32-status": 0}
    row.update(fields)
    fs.write(path, " ".join(_w3c_value(row.get(f)) for f in lfacts.W3C_FIELDS) + "\n", append=True, when=when)
    return path


def write_httperr(fs, when: datetime, fields: dict) -> str:
    """Append one request http.sys answered itself (503 for a stopped pool, 400 for no site)."""
    path = lfacts.HTTPERR_FILE
    header = (f"#Software: {lfacts.HTTPERR_SOFTWARE}\n#Version: 1.0\n#Date: {when:%Y-%m-%d %H:%M:%S}\n"
              f"#Fields: {' '.join(lfacts.HTTPERR_FIELDS)}\n")
    _ensure(fs, path, header, when)
    row = {"date": f"{when:%Y-%m-%d}", "time": f"{when:%H:%M:%S}", "cs-version": "HTTP/1.1"}
    row.update(fields)
    fs.write(path, " ".join(_w3c_value(row.get(f)) for f in lfacts.HTTPERR_FIELDS) + "\n", append=True, when=when)
    return path


def iso_ms(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _csv_value(v) -> str:
    # HttpProxy logs write commas inside values as spaces (seen in the user-agent column of real logs).
    return "" if v is None else str(v).replace(",", " ").replace("\n", " ")


def write_httpproxy(fs, protocol: str, when: datetime, fields: dict) -> str:
    """Append one line to the front end's HttpProxy log for ``protocol`` (Owa, Ecp, Ews, ...)."""
    folder = lfacts.HTTPPROXY_FOLDER.format(protocol=protocol)
    path = ntpath.join(folder, lfacts.HTTPPROXY_FILE.format(yyyymmddhh=when.strftime("%Y%m%d%H")))
    cols = ",".join(lfacts.HTTPPROXY_COLUMNS)
    header = (f"{cols}\n#Software: Microsoft Exchange Server\n#Version: {xfacts.FILE_VERSION}\n"
              f"#Log-type: {lfacts.HTTPPROXY_LOG_TYPE}\n#Date: {iso_ms(when)}\n#Fields: {cols}\n")
    _ensure(fs, path, header, when)
    fs.write(path, ",".join(_csv_value(fields.get(c)) for c in lfacts.HTTPPROXY_COLUMNS) + "\n", append=True,
             when=when)
    return path
