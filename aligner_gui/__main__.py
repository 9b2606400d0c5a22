from aligner_gui.cli import main

raise SystemExit(main())
