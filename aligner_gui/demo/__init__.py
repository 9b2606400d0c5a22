"""The built-in demo: synthetic English speech from espeak-ng and the tiny model trained on it.

Nothing here is imported by the application itself; it only loads ``resources/demo_model.pt``
(see :func:`aligner_gui.core.models.model.demo_model_path`). Modules:

* :mod:`.espeak` - ctypes binding to libespeak-ng: audio at 16 kHz plus true word times;
* :mod:`.corpus` - sentences, voices and noise for the training and held-out sets;
* :mod:`.train` - ``python -m aligner_gui.demo.train --out resources/demo_model.pt``;
* :mod:`.phones` - the IPA phone inventory and each engine's table to it;
* :mod:`.flite`, :mod:`.festival` - more voice families with their own phone and word times;
* :mod:`.timed_speech`, :mod:`.voices` - the common result, the signal check, the multi-voice set;
* :mod:`.augment` - field-recording augmentation that keeps every time exact;
* :mod:`.train_voices` - the phone model recipe
  (``nice -n 10 python -m aligner_gui.demo.train_voices --out resources/demo_phones.pt``);
* :mod:`.phone_eval` - phone-boundary and phone-error scoring for ``benchmarks/boundary_error.py``;
* :mod:`.make_sample` - ``python -m aligner_gui.demo.make_sample`` writes ``resources/sample.*``.
"""
