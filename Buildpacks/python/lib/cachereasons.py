"""Why a build cannot reuse what the last build installed: the lines under Heroku's
`Discarding cache since:`, from the last build's state.json and this build's choices.
"""
import packagemanagers


def interpreter_reasons(state, stack, version):
    """Why the packages and the downloaded wheels cannot be reused: they were built for another
    interpreter or stack."""
    reasons = []
    if state.get("stack") not in (None, stack):
        reasons.append(f"The stack has changed from {state['stack']} to {stack}")
    if state.get("python") not in (None, version):
        reasons.append(f"The Python version has changed from {state['python']} to {version}")
    return reasons


def manager_reasons(state, manager, manager_version, inputs):
    """Why the installed packages cannot be reused, though the wheels can: another package
    manager, another version of it, or a changed lock file."""
    if "key" not in state:
        return []
    before = packagemanagers.BY_NAME.get(state.get("manager", "pip"))
    if before is None or before.name != manager.name:
        return [f"The package manager has changed from {before.title if before else state.get('manager')} to {manager.title}"]
    if state.get("manager_version") not in (None, manager_version):
        return [f"The {manager.title} version has changed from {state['manager_version']} to {manager_version}"]
    if manager.name == "pip":
        return []  # requirements.txt changes are said below, as before
    old = state.get("inputs") if isinstance(state.get("inputs"), dict) else {}
    return [f"The contents of {name} changed" for name in sorted(inputs) if old.get(name) not in (None, inputs[name])]
