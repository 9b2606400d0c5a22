"""The built-in demo: synthetic English speech from espeak-ng and the tiny model trained on it.

Nothing here is imported by the application itself; it only loads ``resources/demo_model.pt``
(see :func:`aligner_gui.core.models.model.demo_model_path`). Modules:

* :mod:`.espeak` - ctypes binding to libespeak-ng: audio at 16 kHz plus true word times;
* :mod:`.corpus` - sentences, voices and noise for the training and held-out sets;
* :mod:`.train` - ``python -m aligner_gui.demo.train --out resources/demo_model.pt``;
* :mod:`.make_sample` - ``python -m aligner_gui.demo.make_sample`` writes ``resources/sample.*``.
"""
