"""The Redis cache backend (``REDIS_URL``): Django's, keeping its redis-py clients.

Django's ``RedisCacheClient`` makes a new ``redis.Redis`` object for every cache call, and each
one builds its table of response callbacks: a few per cent of the CPU of an exam-day autosave,
whose session is read from this cache. The connection pools were shared already; this keeps one
client per pool as well. Cache objects are per thread in Django, and so are these clients.
"""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
