"""One module per verb; importing this package fills ``base.RUNNERS``."""
from voxctl.engine.verbs import (  # noqa: F401  (imported for their registrations)
    conference,
    dial,
    gather,
    hangup,
    if_,
    number,
    pause,
    play,
    record,
    redirect,
    reject,
    say,
    set_mute,
)
