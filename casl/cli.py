"""The ``casl`` command: build releases from the course, solve, grade and lint notebooks.

    casl build [--check] [NOTEBOOK ...]
    casl solve NOTEBOOK -o OUT
    casl grade SUBMISSION|FOLDER ... --out DIR [-n N] [--timeout-cell S] [--timeout-notebook S]
    casl lint [NOTEBOOK ...]

Exit codes: 0 done; 1 a check found something (``build --check`` differences, ``lint`` findings);
2 the command could not run (bad arguments, unreadable course, no release notebooks).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from casl.errors import CaslError


def _repo() -> Path:
    from casl.paths import REPO
    return REPO


def _parser() -> argparse.ArgumentParser:
    repo = _repo()
    parser = argparse.ArgumentParser(
        prog="casl", description="Build, solve, grade and lint the casl workbook's notebooks.",
        epilog="Run 'casl COMMAND --help' for a command's options. Instructor's guide: docs/instructor.md.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    b = sub.add_parser("build", help="make learner releases (and solved notebooks) from course/*.py",
                       description="Build notebooks/NN-name.ipynb (committed) and build/solved/NN-name.ipynb "
                                   "from course/NN-name.py. With --check, build into memory and fail if a "
                                   "committed release differs.")
    b.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help="course sources or stems (default: all)")
    b.add_argument("--check", action="store_true", help="compare with the committed releases; change nothing")
    b.add_argument("--course", type=Path, default=repo / "course", help="folder of course sources (%(default)s)")
    b.add_argument("--out", type=Path, default=repo / "notebooks", help="folder of releases (%(default)s)")
    b.add_argument("--solved", type=Path, default=repo / "build" / "solved",
                   help="folder for solved notebooks (%(default)s)")
    b.add_argument("--timeout", type=float, default=120, metavar="S", help="seconds per cell (%(default)s)")

    s = sub.add_parser("solve", help="the solved, executed copy of a release notebook",
                       description="Put the course's solutions into a release notebook's answer cells "
                                   "(matched by exercise) and execute it.")
    s.add_argument("notebook", type=Path, metavar="NOTEBOOK")
    s.add_argument("-o", "--out", type=Path, required=True, metavar="OUT", help="where to write the solved notebook")
    s.add_argument("--course", type=Path, default=repo / "course", help="folder of course sources (%(default)s)")
    s.add_argument("--timeout", type=float, default=120, metavar="S", help="seconds per cell (%(default)s)")

    g = sub.add_parser("grade", help="grade learners' notebooks into a gradebook",
                       description="Grade copies of the submissions (the files are only read): answers are "
                                   "taken as data, put into the pristine release, and run with nbval.")
    g.add_argument("submissions", nargs="+", type=Path, metavar="SUBMISSION",
                   help="learners' .ipynb files, or folders of them")
    g.add_argument("--out", type=Path, required=True, metavar="DIR",
                   help="folder for gradebook.csv, lms.csv and report.json")
    g.add_argument("-n", "--workers", type=int, default=1, metavar="N", help="notebooks graded in parallel (%(default)s)")
    g.add_argument("--timeout-cell", type=float, default=60, metavar="S", help="seconds per cell (%(default)s)")
    g.add_argument("--timeout-notebook", type=float, default=300, metavar="S",
                   help="seconds per submission (%(default)s)")
    g.add_argument("--timeout-total", type=float, default=None, metavar="S",
                   help="seconds for the whole batch (default: from the per-submission limit)")
    g.add_argument("--release", type=Path, action="append", default=None, metavar="PATH",
                   help="release notebook or folder to grade against (default: notebooks/); repeatable")
    g.add_argument("--keep-work", action="store_true", help="keep the rebuilt notebooks (path printed)")
    g.add_argument("--no-progress", action="store_true", help="no progress bar")
    g.add_argument("--max-bytes", type=int, default=None, metavar="B", help="largest submission accepted")
    g.add_argument("--max-cells", type=int, default=None, metavar="N", help="most cells accepted")

    lint = sub.add_parser("lint", help="check release notebooks are fit for grading",
                          description="Check every release: locked, executed, pinned check cells; ids that "
                                      "match the declared exercises.")
    lint.add_argument("notebooks", nargs="*", type=Path, metavar="NOTEBOOK",
                      help="release notebooks or folders (default: notebooks/)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return {"build": _build, "solve": _solve, "grade": _grade, "lint": _lint}[args.command](args)
    except CaslError as exc:
        print(f"casl {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"casl {args.command}: interrupted", file=sys.stderr)
        return 130


def _build(args) -> int:
    from casl.grading import build

    if not args.course.is_dir():
        raise CaslError(f"no course folder at {args.course}")
    sources = build.sources(args.course, args.notebooks)
    if not sources:
        raise CaslError(f"no course sources (NN-name.py) in {args.course}")
    if args.check:
        differences = build.check(sources, args.out, timeout=args.timeout)
        for line in differences:
            print(f"casl build --check: {line}", file=sys.stderr)
        if differences:
            print("casl build --check: run 'casl build' and commit the notebooks", file=sys.stderr)
            return 1
        print(f"casl build --check: {len(sources)} release(s) up to date")
        return 0
    for path in build.build(sources, args.out, args.solved, timeout=args.timeout):
        print(f"built {path}")
    return 0


def _solve(args) -> int:
    from casl.grading import build

    if not args.notebook.exists():
        raise CaslError(f"no such notebook: {args.notebook}")
    nb = build.solve_release(args.notebook, args.course, timeout=args.timeout)
    build.write(nb, args.out)
    print(f"solved {args.out}")
    return 0


def _grade(args) -> int:
    from casl.grading.grade import Options, grade

    if args.workers < 1:
        raise CaslError("-n must be at least 1")
    options = Options(workers=args.workers, timeout_cell=args.timeout_cell, timeout_notebook=args.timeout_notebook,
                      timeout_total=args.timeout_total, releases=args.release or [_repo() / "notebooks"],
                      keep_work=args.keep_work, progress=not args.no_progress)
    if args.max_bytes:
        options.max_bytes = args.max_bytes
    if args.max_cells:
        options.max_cells = args.max_cells
    submissions: list[Path] = []
    for p in args.submissions:
        if p.is_dir():             # a folder of collected notebooks: every .ipynb directly in it
            found = sorted(p.glob("*.ipynb"))
            if not found:
                print(f"casl grade: warning: no .ipynb files in {p}", file=sys.stderr)
            submissions.extend(found)
        else:
            if not p.exists():
                print(f"casl grade: warning: {p} does not exist; it is reported as invalid", file=sys.stderr)
            submissions.append(p)
    if not submissions:
        raise CaslError("no submissions to grade")
    report = grade(submissions, args.out, options)
    subs = report["submissions"]
    invalid = sum(1 for s in subs if s["status"] != "graded")
    tampered = sum(1 for s in subs if s["tampered"])
    print(f"graded {len(subs) - invalid} of {len(subs)} submission(s)"
          + (f"; {invalid} could not be graded" if invalid else "")
          + (f"; {tampered} with changed locked cells" if tampered else "")
          + f". See {args.out / 'gradebook.csv'} and {args.out / 'report.json'}.")
    return 0


def _lint(args) -> int:
    from casl.grading import lint

    paths = args.notebooks or [_repo() / "notebooks"]
    findings = lint.lint_paths(paths)
    if not args.notebooks:
        from casl.exercises import registry
        findings += lint.missing_releases(paths[0], registry.catalog(include_extra=False))
    for line in findings:
        print(f"casl lint: {line}")
    if findings:
        return 1
    print("casl lint: no findings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
