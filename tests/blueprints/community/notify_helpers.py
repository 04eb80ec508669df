"""Writing posts as the posting service does (factories, follows, mentions, the signal listeners), and
moving RQ's scheduled jobs along, for the delayed post mail's tests."""

from __future__ import annotations

from rq import Queue, SimpleWorker
from rq.registry import ScheduledJobRegistry
from rq.scheduler import RQScheduler

from blueprints.community import signals
from models.community import Post, PostMention, Subscription
from models.db import transaction
from tests.factories.community import make_post


def follow(thread, user, active=True):
    return Subscription.create(association=thread.association_id, user=user, thread=thread, active=active)


def write(app, thread, author, body="Hello", mentions=()):
    """A new post: the author follows the thread, each member mentioned follows it and is named; then
    every on_post_written listener, in the writing transaction."""
    with app.app_context(), transaction():
        post = make_post(thread, author, body)
        if not Subscription.select().where((Subscription.user == author) & (Subscription.thread == thread)).exists():
            follow(thread, author)
        for user in mentions:
            PostMention.create(post=post, user=user)
            follow(thread, user)
        for listener in signals.on_post_written:
            listener(post)
    return post


def change(app, post, **fields):
    """An edit, a deletion or a hiding, then every on_post_changed listener."""
    with app.app_context(), transaction():
        Post.update(**fields).where(Post.id == post.id).execute()
        post = Post.get_by_id(post.id)
        for listener in signals.on_post_changed:
            listener(post)
    return post


class Rq:
    """RQ's scheduler and a worker in this process, driven step by step (no sleeping)."""

    def __init__(self, app, redis):
        self.app, self.redis = app, redis
        self.queue = Queue(app.config["RQ_QUEUE"], connection=redis)
        self.registry = ScheduledJobRegistry(queue=self.queue)
        self.scheduler = RQScheduler([self.queue], connection=redis)
        assert self.scheduler.acquire_locks()

    def scheduled(self) -> list[str]:
        return self.registry.get_job_ids()

    def come_due(self) -> None:
        """Make every scheduled job's time come, on RQ's clock as on Porch's (moved past its delay)."""
        for job_id in self.scheduled():
            self.redis.zadd(self.registry.key, {job_id: 0})

    def run(self) -> None:
        """The scheduler queues the jobs that are due; a worker runs what is queued."""
        self.scheduler.enqueue_scheduled_jobs()
        with self.app.app_context():
            SimpleWorker([self.queue], connection=self.redis).work(burst=True)
