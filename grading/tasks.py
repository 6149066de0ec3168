import socket

from celery import shared_task


@shared_task(name="grading.ping", soft_time_limit=5, time_limit=10)
def ping() -> dict:
    """Answers with the worker's host name: proves a worker is consuming the queue."""
    return {"pong": True, "host": socket.gethostname()}
