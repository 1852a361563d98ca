"""``python -m bot.jobs``: run the scheduler until SIGTERM or SIGINT."""

from bot.jobs.scheduler import main

if __name__ == "__main__":
    main()
