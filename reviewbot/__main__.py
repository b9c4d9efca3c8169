from reviewbot.main import main

raise SystemExit(main())
