"""Synthetic worlds with ground truth: organic background plus influence campaigns.

The world is meant to be hard for a naive detector. Organic users have heavy-tailed
activity and daily rhythms in many time zones; influencers get viral repost cascades
(thousands of reposts within the first hour); breaking-news links are shared by many
unrelated accounts within minutes, with URL variants; hashtags trend; strangers post
the same stock phrases; a fan community reposts its idol fast and often. Campaigns are
teams of 10-200 accounts using repost rings, copy-paste texts, link and hashtag pushing,
reply brigades, slow drip, camouflage and team personas -- and three strategies modelled
on Linvill & Warren's classification of the Internet Research Agency's accounts
("Troll Factories", Political Communication 37(4), 2020): NewsFeed accounts named like
local outlets that post headlines with links on a clock; Left/Right Trolls that repost
their community's posts in batches, hours apart; HashtagGamers that join public
hashtag games together with original jokes. Their hard negatives are in the organic
world: real local outlets posting headlines on their own schedules, and public hashtag
games that draw a crowd.

Everything is drawn from one ``numpy.random.Generator`` seeded by ``seed``, so a seed
gives the same files byte for byte. Output follows the information-operations archive
layout so that it goes through the real reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

START = datetime(2024, 3, 4, tzinfo=UTC)  # a Monday
START_S = int(START.timestamp())
DAY = 86_400
BATCH = 250_000  # posts per written batch

STRATEGIES = ["repost_ring", "copy_paste", "link_push", "hashtag_push", "reply_brigade",
              "slow_drip", "camouflage", "team_persona", "news_feed", "batch_repost",
              "hashtag_gamer"]
# how feed accounts and local outlets are named (IRA NewsFeed handles: DailyLosAngeles,
# ChicagoCityNews, Seattle_Post, ...)
FEED_HANDLES = ["Daily{city}", "{city}CityNews", "{city}_Online"]
OUTLET_HANDLES = ["{city}Herald", "The{city}Times", "{city}Gazette", "{city}Tribune",
                  "{city}Courier", "{city}Observer"]
# each real outlet's own headline layout (h: title, t: city tag, u: link, o: outlet)
OUTLET_TEMPLATES = ["{h} - {o} {u}", "{h} {u} via @{o}", "BREAKING: {h} {u}",
                    "{o}: {h} {u}", "{h} | {o} {u}", "{h} {u}", "#{t} {h} {u}"]
GAME_STEMS = ["MakeAMovie", "ChristmasIn3Words", "RuinADate", "SongsAboutFood",
              "TwoWordHorror", "ExplainAFilmBadly", "IfIWasPresident"]
STOCK_PHRASES = ["good morning", "good morning!", "congratulations!", "happy birthday",
                 "thank you", "so true", "this!", "amazing", "good night everyone", "lol",
                 "happy new week", "well said"]
CLIENTS = ["Twitter for iPhone", "Twitter for Android", "Twitter Web App", "TweetDeck",
           "Twitter for iPad"]
UTC_OFFSETS_H = np.array([-8, -5, -3, 0, 1, 2, 3, 5.5, 7, 8, 9])
OFFSET_WEIGHTS = np.array([8, 12, 6, 10, 14, 6, 5, 10, 12, 9, 8], dtype=float)
# local-hour activity profile: low at night, peaks at lunch and in the evening
HOUR_PROFILE = np.array([2, 1, 0.6, 0.4, 0.4, 0.6, 1.5, 3, 4, 4, 4, 4.5, 5, 4.5, 4, 4, 4.5,
                         5, 6, 7, 7.5, 7, 5, 3.5])
SYLLABLES = ["ka", "lo", "mi", "ra", "ten", "su", "vo", "del", "pa", "rin", "go", "sha", "ne",
             "ti", "mar", "ul", "bre", "on", "zu", "fi", "ad", "qua", "le", "po"]


COLLECTIONS = ("full", "targeted")
# how times are written: to the second (platform APIs), or to the minute (the platforms'
# information-operations archives write ``tweet_time`` as YYYY-MM-DD HH:MM)
RESOLUTIONS = ("seconds", "minutes")
# how fast fans repost their idol: "fast", within minutes (a mobilised fan base), or
# "crowd", at the public's pace over hours (loyal readers who catch up on the idol's
# posts): then nothing but their loyalty sets them apart from the crowd
FAN_PACES = ("fast", "crowd")
# repost delays (lognormal median s, sigma, floor s): a mobilised fan base, and the
# public reposting a famous account
FAN_DELAY = (150, 1.0, 3)
CROWD_DELAY = (2_400, 1.4, 10)
# the feed accounts' clock: "shared", every account a few seconds after the operator's
# half-hour slots, or "own", each account hourly at its own minute of the hour (the same
# software and layout; no two of the first 60 accounts in the same minute)
FEED_CLOCKS = ("shared", "own")
# the influence operation (World(operation=True))
DESK_SIZE = 36  # accounts, the invented writers' own accounts among them
INVENTED_BYLINES = 3
GENUINE_BYLINES = 12
LOYAL_READERS = 50  # per columnist, for two of the columnists
OPERATION_OUTLETS = 4
WRITER_WORDS = 400  # the most frequent words, ordered by each writer in their own way
SIGNATURE_WORDS = 20  # rarer words each writer keeps using
OUTLET_KINDS = ["Chronicle", "Ledger", "Post", "Review"]
PERSON_NAMES = ["Linda Lopez", "Mark Ellison", "Sofia Brandt", "Daniel Okafor", "Ruth Adler",
                "Tomas Novak", "Helen Strand", "Victor Haas", "Amira Saleh", "Peter Quinn",
                "Julia Moreau", "Samuel Iverson", "Nadia Petrova", "Owen Gallagher",
                "Clara Lindqvist", "Marcus Webb", "Irene Kowalski", "Felix Baptiste",
                "Grace Nakamura", "Henrik Dahl", "Lucia Ferrante", "Arthur Bloom",
                "Maya Castellano", "Jonah Whitfield"]


@dataclass
class Posts:
    """Column arrays of generated posts (one entry per post)."""

    account: list[np.ndarray] = field(default_factory=list)
    time: list[np.ndarray] = field(default_factory=list)
    kind: list[np.ndarray] = field(default_factory=list)  # 0 post 1 repost 2 reply 3 quote
    target: list[np.ndarray] = field(default_factory=list)  # index of referenced post, -1
    text: list[list[str]] = field(default_factory=list)
    hashtags: list[list[str]] = field(default_factory=list)
    urls: list[list[str]] = field(default_factory=list)
    client: list[np.ndarray] = field(default_factory=list)
    count: int = 0

    def add(self, account, time, kind, target, text, hashtags, urls, client) -> np.ndarray:
        n = len(account)
        self.account.append(np.asarray(account, dtype=np.int64))
        self.time.append(np.asarray(time, dtype=np.int64))
        self.kind.append(np.broadcast_to(np.asarray(kind, dtype=np.int8), (n,)).copy())
        self.target.append(np.broadcast_to(np.asarray(target, dtype=np.int64), (n,)).copy())
        self.text.append(list(text))
        self.hashtags.append(list(hashtags))
        self.urls.append(list(urls))
        self.client.append(np.asarray(client, dtype=np.int64))
        index = np.arange(self.count, self.count + n)
        self.count += n
        return index

    def column(self, name: str) -> np.ndarray:
        return np.concatenate(getattr(self, name))

    def listed(self, name: str) -> list:
        return [x for part in getattr(self, name) for x in part]


class World:
    """Builds one world; call :meth:`write` to produce the three CSV files."""

    def __init__(self, accounts: int = 20_000, days: int = 14, seed: int = 1,
                 collection: str = "full", operation: bool = False,
                 sockpuppets: bool = False, resolution: str = "seconds",
                 fan_pace: str = "fast", feed_clock: str = "shared") -> None:
        if accounts < 2_000:
            raise ValueError("a world needs at least 2,000 accounts")
        for value, allowed, name in ((collection, COLLECTIONS, "collection"),
                                     (resolution, RESOLUTIONS, "resolution"),
                                     (fan_pace, FAN_PACES, "fan pace"),
                                     (feed_clock, FEED_CLOCKS, "feed clock")):
            if value not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}")
        self.resolution = resolution
        self.fan_pace = fan_pace
        self.feed_clock = feed_clock
        self.collection = collection
        self.operation = operation
        self.sockpuppets = sockpuppets
        self.own_posts_from = -1  # sockpuppets' posts before this index are dropped
        self.articles: list[dict] = []  # the operation world's columns (articles.csv)
        self.bylines: list[dict] = []  # and its bylines' truth (bylines_truth.csv)
        self.idol = -1
        self.n = accounts
        self.days = days
        self.rng = np.random.default_rng(seed)
        self.horizon = days * DAY
        self.posts = Posts()
        self.vocab = self._vocabulary(6_000)
        self.label = np.array(["organic"] * accounts, dtype=object)
        self.campaign = np.array([""] * accounts, dtype=object)
        self.strategy = np.array([""] * accounts, dtype=object)
        self._profiles()

    # ---- accounts -------------------------------------------------------------------
    def _vocabulary(self, size: int) -> np.ndarray:
        rng = self.rng
        parts = rng.integers(0, len(SYLLABLES), size=(size, 3))
        lengths = rng.integers(1, 4, size=size)
        words = {"".join(SYLLABLES[p] for p in row[:k]) for row, k in zip(parts, lengths,
                                                                           strict=True)}
        return rng.permutation(np.array(sorted(words)))

    def _profiles(self) -> None:
        rng, n = self.rng, self.n
        self.offset_h = rng.choice(UTC_OFFSETS_H, size=n, p=OFFSET_WEIGHTS / OFFSET_WEIGHTS.sum())
        # heavy-tailed activity: posts per day, lognormal (median ~1.6, long tail)
        self.rate = np.minimum(rng.lognormal(mean=0.5, sigma=1.1, size=n), 80)
        self.followers = np.floor(rng.pareto(1.2, size=n) * 40).astype(np.int64)
        self.following = rng.integers(5, 2_000, size=n)
        created = START_S - rng.integers(30 * DAY, 12 * 365 * DAY, size=n)
        self.created = created
        self.client = rng.choice(len(CLIENTS), size=n, p=[0.38, 0.34, 0.18, 0.04, 0.06])
        names = rng.integers(0, len(self.vocab), size=(n, 2))
        self.handle = np.array([f"{self.vocab[a]}_{self.vocab[b]}{i % 97}"
                                for i, (a, b) in enumerate(names)], dtype=object)
        self.display = np.array([f"{self.vocab[a].title()} {self.vocab[b].title()}"
                                 for a, b in names], dtype=object)
        self.bio = np.array([" ".join(self.vocab[rng.integers(0, len(self.vocab), 5)])
                             if rng.random() < 0.6 else "" for _ in range(n)], dtype=object)
        self.lang = np.array(["en"] * n, dtype=object)

    # ---- helpers --------------------------------------------------------------------
    def _texts(self, count: int, min_words: int = 6, max_words: int = 18) -> list[str]:
        rng = self.rng
        # word ranks follow Zipf's law; an exponent near 1.1 gives the most frequent word
        # a few percent of all tokens, as in natural language
        zipf = rng.zipf(1.1, size=count * max_words) % len(self.vocab)
        lengths = rng.integers(min_words, max_words + 1, size=count)
        words = self.vocab[zipf].reshape(count, max_words)
        return [" ".join(words[i, : lengths[i]]) for i in range(count)]

    def _diurnal_times(self, accounts: np.ndarray, office_hours: bool = False) -> np.ndarray:
        """Times for posts of ``accounts`` following their local daily rhythm."""
        rng = self.rng
        count = len(accounts)
        if office_hours:
            weekdays = np.array([d for d in range(self.days) if (d % 7) < 5])
            day = rng.choice(weekdays, size=count)
            hour = rng.integers(9, 17, size=count)
        else:
            day = rng.integers(0, self.days, size=count)
            hour = rng.choice(24, size=count, p=HOUR_PROFILE / HOUR_PROFILE.sum())
        local = day * DAY + hour * 3600 + rng.integers(0, 3600, size=count)
        return local - (self.offset_h[accounts] * 3600).astype(np.int64)

    def _tags(self, count: int, probability: float, pool: int = 3_000) -> list[list[str]]:
        rng = self.rng
        has = rng.random(count) < probability
        picks = rng.zipf(1.4, size=(count, 2)) % pool
        two = rng.random(count) < 0.3
        out: list[list[str]] = []
        for i in range(count):
            if not has[i]:
                out.append([])
            else:
                tags = [f"{self.vocab[picks[i, 0] % len(self.vocab)]}{picks[i, 0]}"]
                if two[i]:
                    tags.append(f"{self.vocab[picks[i, 1] % len(self.vocab)]}{picks[i, 1]}")
                out.append(tags)
        return out

    def _url_variant(self, url: str) -> str:
        """A URL as different users paste it: scheme, www and tracking parameters vary."""
        rng = self.rng
        host_path = url.split("://", 1)[1]
        scheme = "http" if rng.random() < 0.25 else "https"
        if rng.random() < 0.3 and not host_path.startswith("www."):
            host_path = "www." + host_path
        roll = rng.random()
        if roll < 0.25:
            host_path += f"?utm_source={rng.choice(['twitter', 'tw', 'share'])}&utm_medium=social"
        elif roll < 0.35:
            host_path += f"?fbclid=IwAR{rng.integers(10**8, 10**9)}"
        return f"{scheme}://{host_path}"

    def _active_accounts(self, size: int, replace: bool = False,
                         pool: np.ndarray | None = None) -> np.ndarray:
        """Accounts joining a crowd event: the more active, the likelier to take part."""
        candidates = self.organic_ids if pool is None else pool
        weights = np.sqrt(self.rate[candidates])
        size = min(size, len(candidates)) if not replace else size
        return self.rng.choice(candidates, size=size, replace=replace, p=weights / weights.sum())

    # ---- organic background ---------------------------------------------------------
    def organic(self) -> None:
        """Everyone's ordinary life (campaign members too); background events use
        accounts outside the campaigns."""
        rng, posts = self.rng, self.posts
        everyone = np.arange(self.n)
        counts = rng.poisson(self.rate * self.days)
        authors = np.repeat(everyone, counts)
        times = self._diurnal_times(authors)
        n = len(authors)
        kind = rng.choice(4, size=n, p=[0.5, 0.3, 0.15, 0.05])
        originals = np.flatnonzero(kind == 0)
        # original posts: texts, some stock phrases, hashtags, news links
        texts = self._texts(len(originals))
        stock = rng.random(len(originals)) < 0.04
        for i in np.flatnonzero(stock):
            texts[i] = STOCK_PHRASES[rng.integers(len(STOCK_PHRASES))]
        tags = self._tags(len(originals), 0.18)
        urls = [[self._url_variant(f"https://news{rng.integers(1, 400)}.example/article/"
                                   f"{rng.zipf(1.5) % 50_000}")] if rng.random() < 0.12 else []
                for _ in range(len(originals))]
        base = posts.add(authors[originals], times[originals], 0, -1, texts, tags, urls,
                         self.client[authors[originals]])
        # influencers: the most-followed accounts; their posts are the repost targets
        popularity = (self.followers[authors[originals]] + 1.0) ** 1.1
        popularity /= popularity.sum()
        # organic reposts, replies, quotes of earlier posts with human delays
        for k, delay_median in ((1, 1_800), (2, 900), (3, 2_400)):
            rows = np.flatnonzero(kind == k)
            target_local = rng.choice(len(originals), size=len(rows), p=popularity)
            target = base[target_local]
            delay = rng.lognormal(np.log(delay_median), 1.6, size=len(rows)).astype(np.int64)
            when = times[originals][target_local] + delay
            text = (["RT"] * len(rows) if k == 1 else self._texts(len(rows), 3, 12))
            posts.add(authors[rows], when, k, target, text, [[]] * len(rows), [[]] * len(rows),
                      self.client[authors[rows]])
        self._viral_cascades(base, times[originals], authors[originals])
        self._breaking_news()
        self._trending_hashtags()

    def _viral_cascades(self, base: np.ndarray, times: np.ndarray, authors: np.ndarray) -> None:
        """A few influencer posts get thousands of reposts within the first hour."""
        rng = self.rng
        top = np.argsort(-self.followers[authors], kind="stable")[:200]
        chosen = rng.choice(top, size=max(6, self.days), replace=False)
        for post in chosen:
            size = int(min(len(self.organic_ids) * 0.4, rng.integers(800, 4_000)))
            who = self._active_accounts(size)
            delay = rng.exponential(900, size=size).astype(np.int64) + 5
            self.posts.add(who, times[post] + delay, 1, base[post], ["RT"] * size,
                           [[]] * size, [[]] * size, self.client[who])

    def _breaking_news(self) -> None:
        """Links shared by many unrelated accounts within minutes, with URL variants."""
        rng = self.rng
        for event in range(2 * self.days):
            url = f"https://breaking{event % 7}.example/news/{rng.integers(10**6, 10**7)}"
            size = int(min(rng.integers(150, 1_500), len(self.organic_ids) // 2))
            who = self._active_accounts(size)
            start = int(rng.integers(0, self.horizon - 6 * 3600))
            when = start + rng.exponential(600, size=size).astype(np.int64)
            texts = self._texts(size, 4, 12)
            self.posts.add(who, when, 0, -1, texts, [[]] * size,
                           [[self._url_variant(url)] for _ in range(size)], self.client[who])

    def _trending_hashtags(self) -> None:
        rng = self.rng
        for trend in range(self.days):
            tag = f"trend{trend}{self.vocab[rng.integers(len(self.vocab))]}"
            size = int(rng.integers(300, 2_500))
            who = self._active_accounts(size, replace=True)
            start = int(rng.integers(0, self.horizon - DAY))
            when = start + rng.gamma(2.0, 3 * 3600, size=size).astype(np.int64)
            self.posts.add(who, when, 0, -1, self._texts(size, 4, 14),
                           [[tag] for _ in range(size)], [[]] * size, self.client[who])

    def fan_community(self, size: int = 300) -> None:
        """Authentic fans who repost their idol fast and often (a hard negative)."""
        rng = self.rng
        idol = int(self.organic_ids[np.argmax(self.followers[self.organic_ids])])
        self.idol = idol
        fans = rng.choice(np.setdiff1d(self.organic_ids, [idol]), size=size, replace=False)
        self.label[fans] = "fan"
        idol_posts = 6 * self.days
        times = self._diurnal_times(np.full(idol_posts, idol))
        ids = self.posts.add(np.full(idol_posts, idol), times, 0, -1, self._texts(idol_posts),
                             self._tags(idol_posts, 0.3), [[]] * idol_posts,
                             np.full(idol_posts, self.client[idol]))
        public = np.setdiff1d(self.organic_ids, fans)
        for post, t in zip(ids, times, strict=True):
            joined = fans[rng.random(size) < 0.55]
            delay = _delays(rng, FAN_DELAY if self.fan_pace == "fast" else CROWD_DELAY,
                            len(joined))
            self.posts.add(joined, t + delay, 1, post, ["RT"] * len(joined),
                           [[]] * len(joined), [[]] * len(joined), self.client[joined])
            # a famous account is reposted by the general public too, more slowly
            crowd = self._active_accounts(int(rng.integers(40, 250)), pool=public)
            later = _delays(rng, CROWD_DELAY, len(crowd))
            self.posts.add(crowd, t + later, 1, post, ["RT"] * len(crowd),
                           [[]] * len(crowd), [[]] * len(crowd), self.client[crowd])

    # ---- campaigns ------------------------------------------------------------------
    def campaigns(self, count: int = 13) -> None:
        rng = self.rng
        plans = [
            ["repost_ring"], ["copy_paste"], ["link_push"], ["hashtag_push"],
            ["reply_brigade"], ["slow_drip"], ["repost_ring", "camouflage"],
            ["copy_paste", "hashtag_push", "team_persona"],
            ["link_push", "repost_ring", "team_persona"], ["slow_drip", "camouflage"],
            ["news_feed"], ["batch_repost"], ["hashtag_gamer"],
        ]
        free = np.flatnonzero(self.label == "organic")
        for number in range(count):
            plan = plans[number % len(plans)]
            size = int(rng.choice([12, 20, 30, 45, 60, 80, 120, 200])) if number else 40
            size = min(size, self.n // 25)  # small test worlds keep most accounts organic
            members = rng.choice(free, size=size, replace=False)
            free = np.setdiff1d(free, members)
            # the fans' idol is a celebrity, not a recruit (dropped without a new draw, so
            # worlds where it was not chosen stay the same)
            members = members[members != self.idol]
            name = f"C{number + 1:02d}"
            self.label[members] = "campaign"
            self.campaign[members] = name
            self.strategy[members] = "+".join(plan)
            self._run_campaign(name, members, plan)

    def _run_campaign(self, name: str, members: np.ndarray, plan: list[str]) -> None:
        rng = self.rng
        if plan[0] in ("news_feed", "batch_repost", "hashtag_gamer"):
            getattr(self, plan[0])(name, members)
            return
        persona = "team_persona" in plan
        if persona:
            base = START_S - int(rng.integers(20, 200)) * DAY
            self.created[members] = base + rng.integers(0, 3 * DAY, size=len(members))
            stem = self.vocab[rng.integers(len(self.vocab))]
            self.handle[members] = [f"{stem}{rng.integers(10**7, 10**8)}" for _ in members]
            self.client[members] = rng.integers(len(CLIENTS))
            self.offset_h[members] = self.offset_h[members[0]]
        if "camouflage" in plan:
            self.rate[members] *= 4  # organic-looking filler at several times the volume
        events = int(rng.integers(25, 60))
        participation = rng.uniform(0.2, 0.35) if "slow_drip" in plan else rng.uniform(0.6, 0.9)
        for strategy in plan:
            if strategy in ("camouflage", "team_persona"):
                continue
            for _ in range(events // max(1, len([s for s in plan if s not in (
                    "camouflage", "team_persona")])) + 1):
                if persona:
                    day = int(rng.choice([d for d in range(self.days) if d % 7 < 5]))
                    start = (day * DAY + int(rng.integers(9, 16)) * 3600
                             - int(self.offset_h[members[0]] * 3600))
                else:
                    start = int(rng.integers(0, self.horizon - 3 * 3600))
                who = members[rng.random(len(members)) < participation]
                if len(who) < 2:
                    who = rng.choice(members, size=2, replace=False)
                self._campaign_action(strategy, name, who, start)

    def _campaign_action(self, strategy: str, name: str, who: np.ndarray, start: int) -> None:
        rng, posts = self.rng, self.posts
        n = len(who)
        if strategy in ("repost_ring", "slow_drip"):
            lead = int(who[0])
            seed = posts.add([lead], [start], 0, -1, self._texts(1), self._tags(1, 0.5),
                             [[]], [self.client[lead]])[0]
            delay = (rng.lognormal(np.log(1_800), 1.2, size=n) if strategy == "slow_drip"
                     else rng.uniform(2, 45, size=n)).astype(np.int64) + 1
            posts.add(who[1:], start + delay[1:], 1, seed, ["RT"] * (n - 1), [[]] * (n - 1),
                      [[]] * (n - 1), self.client[who[1:]])
        elif strategy == "copy_paste":
            template = self._texts(1, 12, 20)[0].split()
            texts = []
            for _ in range(n):
                words = list(template)
                if rng.random() < 0.6:
                    words[int(rng.integers(len(words)))] = self.vocab[rng.integers(len(self.vocab))]
                if rng.random() < 0.3:
                    words.append(str(rng.choice(["🔥", "!!", "👇", "💯"])))
                texts.append(" ".join(words))
            delay = rng.uniform(5, 240, size=n).astype(np.int64)
            posts.add(who, start + delay, 0, -1, texts, [[]] * n, [[]] * n, self.client[who])
        elif strategy == "link_push":
            url = f"https://{name.lower()}-daily.example/story/{rng.integers(10**5, 10**6)}"
            delay = rng.uniform(3, 180, size=n).astype(np.int64)
            posts.add(who, start + delay, 0, -1, self._texts(n, 4, 10), [[]] * n,
                      [[self._url_variant(url)] for _ in range(n)], self.client[who])
        elif strategy == "hashtag_push":
            tag = f"{name.lower()}{self.vocab[rng.integers(len(self.vocab))]}"
            delay = rng.uniform(3, 300, size=n).astype(np.int64)
            posts.add(who, start + delay, 0, -1, self._texts(n, 4, 12),
                      [[tag] for _ in range(n)], [[]] * n, self.client[who])
        elif strategy == "reply_brigade":
            target_account = int(rng.choice(self.organic_ids))
            target = posts.add([target_account], [start], 0, -1, self._texts(1), [[]], [[]],
                               [self.client[target_account]])[0]
            delay = rng.uniform(20, 400, size=n).astype(np.int64)
            posts.add(who, start + delay, 2, target, self._texts(n, 3, 10), [[]] * n, [[]] * n,
                      self.client[who])

    # ---- strategies of a troll factory (Linvill & Warren 2020) ------------------------
    def _city(self) -> str:
        return self.vocab[self.rng.integers(len(self.vocab))].title()

    def _headline(self) -> str:
        return " ".join(w.title() for w in self._texts(1, 5, 11)[0].split())

    def news_feed(self, name: str, members: np.ndarray) -> None:
        """Accounts named like local outlets, one city each, posting ``#tag Title link``
        headlines from feeds on the operator's half-hourly clock, a few seconds after
        each slot (``feed_clock="own"``: hourly, each at its own minute of the hour);
        few reposts, rarely the same link or text as one another."""
        rng = self.rng
        offset = int(self.offset_h[members[0]] * 3600)
        self.rate[members] = 0.2  # hardly any ordinary activity besides the feed
        cities = [self._city() for _ in members]
        for index, (account, city) in enumerate(zip(members, cities, strict=True)):
            self.handle[account] = FEED_HANDLES[index % len(FEED_HANDLES)].format(city=city)
            self.display[account] = f"{city} News"
            self.bio[account] = f"Latest news from {city}"
        slots = np.array([day * DAY + minute * 60 for day in range(self.days)
                          for minute in range(6 * 60, 24 * 60, 30)]) - offset
        if self.feed_clock == "own":
            # hourly, each account at its own minute of the hour (drawn apart from the
            # main stream), as many posts as on the shared clock
            own = np.random.default_rng(len(members) * 7_919 + offset).permutation(60)
            hours = slots[(slots + offset) % 3_600 == 0]
        for index, (account, city) in enumerate(zip(members, cities, strict=True)):
            if self.feed_clock == "own":
                used = hours[rng.random(len(hours)) < 0.6] + 60 * int(own[index % 60])
            else:
                used = slots[rng.random(len(slots)) < 0.3]
            when = used + rng.integers(2, 45, size=len(used))
            tag = f"{city}News"
            texts, tags, urls = [], [], []
            for _ in used:
                url = f"https://{city.lower()}-news.example/{rng.integers(10**6, 10**7)}"
                texts.append(f"#{tag} {self._headline()} {url}")
                tags.append([tag])
                urls.append([url])
            self.posts.add(np.full(len(used), account), when, 0, -1, texts, tags, urls,
                           np.full(len(used), self.client[account]))

    def batch_repost(self, name: str, members: np.ndarray) -> None:
        """Persona accounts reposting their community's posts in batches (several in
        the same minute), each at its own hours: the team reposts the same posts, hours
        apart, posts that hardly anyone else reposts."""
        rng = self.rng
        community = rng.choice(self.organic_ids, size=min(len(self.organic_ids) // 4,
                                                          max(60, 3 * len(members))),
                               replace=False)
        for day in range(self.days):
            authors = rng.choice(community, size=40)
            times = self._diurnal_times(authors) % DAY + day * DAY
            texts = self._texts(40)
            posts = self.posts.add(authors, times, 0, -1, texts, self._tags(40, 0.3),
                                   [[]] * 40, self.client[authors])
            # the public: now and then someone else reposts one, much later
            crowd = rng.poisson(0.5, size=40)
            for post, t, k in zip(posts, times, crowd, strict=True):
                if k:
                    who = self._active_accounts(int(k))
                    later = rng.lognormal(np.log(4 * 3600), 1.0, size=len(who)).astype(np.int64)
                    self.posts.add(who, t + later, 1, post, ["RT"] * len(who), [[]] * len(who),
                                   [[]] * len(who), self.client[who])
            for account in members:
                for _ in range(int(rng.integers(1, 4))):
                    session = int(day * DAY + rng.integers(8, 23) * 3600
                                  - int(self.offset_h[account] * 3600))
                    ready = np.flatnonzero(times < session)
                    if len(ready) == 0:
                        continue
                    batch = rng.choice(ready, size=min(len(ready), int(rng.integers(5, 12))),
                                       replace=False)
                    when = session + np.cumsum(rng.integers(2, 7, size=len(batch)))
                    self.posts.add(np.full(len(batch), account), when, 1, posts[batch],
                                   ["RT"] * len(batch), [[]] * len(batch), [[]] * len(batch),
                                   np.full(len(batch), self.client[account]))

    def _hashtag_game(self, day: int) -> tuple[str, int, int]:
        """A public hashtag game: a crowd posts distinct jokes under one tag over the
        day. Returns the tag, its start and its crowd size."""
        rng = self.rng
        tag = f"{GAME_STEMS[day % len(GAME_STEMS)]}{self._city()}"
        size = int(min(rng.integers(200, 1_200), len(self.organic_ids) // 3))
        who = self._active_accounts(size)
        start = int(day * DAY + rng.integers(10, 16) * 3600)
        when = start + rng.gamma(2.0, 2 * 3600, size=size).astype(np.int64)
        self.posts.add(who, when, 0, -1, self._texts(size, 3, 10),
                       [[tag] for _ in range(size)], [[]] * size, self.client[who])
        return tag, start, size

    def hashtag_gamer(self, name: str, members: np.ndarray) -> None:
        """Accounts joining the public's hashtag games, game after game, each time
        within the same hour or two, each with its own jokes."""
        rng = self.rng
        for day in range(self.days):
            tag, start, _ = self.games[day]
            joined = members[rng.random(len(members)) < 0.75]
            session = start + int(rng.integers(1_800, 4 * 3600))
            for account in joined:
                jokes = int(rng.integers(1, 3))
                when = session + rng.integers(0, 5_400, size=jokes)
                self.posts.add(np.full(jokes, account), when, 0, -1,
                               self._texts(jokes, 3, 10), [[tag] for _ in range(jokes)],
                               [[]] * jokes, np.full(jokes, self.client[account]))

    def local_outlets(self, count: int) -> None:
        """Real local news outlets (a hard negative): each its own city, its own
        headline layout and its own schedule (every 30, 60 or 120 minutes at its own
        minute of the hour). Distinct operators, not one team."""
        rng = self.rng
        outlets = rng.choice(self.organic_ids, size=count, replace=False)
        self.label[outlets] = "outlet"
        minutes = rng.permutation(60)
        for index, account in enumerate(outlets):
            city = self._city()
            handle = OUTLET_HANDLES[index % len(OUTLET_HANDLES)].format(city=city)
            self.handle[account] = handle
            self.display[account] = handle
            self.rate[account] = 0.3
            period = int(rng.choice([30, 60, 120]))
            template = OUTLET_TEMPLATES[index % len(OUTLET_TEMPLATES)]
            offset = int(self.offset_h[account] * 3600)
            slots = np.array([day * DAY + minute * 60 for day in range(self.days)
                              for minute in range(int(minutes[index % 60]) % period,
                                                  24 * 60, period)
                              if 6 * 60 <= minute < 23 * 60]) - offset
            used = slots[rng.random(len(slots)) < 0.8]
            when = used + rng.integers(0, 50, size=len(used))
            texts, tags, urls = [], [], []
            for _ in used:
                url = f"https://{handle.lower()}.example/{rng.integers(10**6, 10**7)}"
                texts.append(template.format(h=self._headline(), o=handle, u=url,
                                             t=city))
                tags.append([city] if "{t}" in template else [])
                urls.append([url])
            self.posts.add(np.full(len(used), account), when, 0, -1, texts, tags, urls,
                           np.full(len(used), self.client[account]))

    # ---- an influence operation with invented writers ---------------------------------
    def influence_operation(self) -> None:
        """A desk of sockpuppets that places columns under invented bylines in real
        outlets, runs an account in each invented writer's name that posts each column
        first, and pushes the columns within the hour; as camouflage it also shares a
        little of every genuine column. Around it: genuine columnists with accounts of
        their own (the persona accounts' look-alikes), loyal readers who share one
        columnist's new columns fast, each on their own (the hard negative), and the
        public, sharing columns hours later. Column texts are synthetic: each writer
        draws words from an order of the vocabulary of their own, and the desk's two
        writers take turns under its bylines."""
        rng = self.rng
        cities = [self._city() for _ in range(OPERATION_OUTLETS)]
        outlets = [(f"The {city} {kind}", f"{city.lower()}{kind.lower()}.example")
                   for city, kind in zip(cities, OUTLET_KINDS, strict=False)]
        names = rng.permutation(PERSON_NAMES)
        invented = [str(n) for n in names[:INVENTED_BYLINES]]
        genuine = [str(n) for n in names[INVENTED_BYLINES:INVENTED_BYLINES + GENUINE_BYLINES]]
        free = np.flatnonzero(self.label == "organic")
        free = free[free != self.idol]
        picked = rng.choice(free, size=DESK_SIZE + GENUINE_BYLINES + LOYAL_READERS * 2,
                            replace=False)
        desk = picked[:DESK_SIZE]
        columnists = picked[DESK_SIZE:DESK_SIZE + GENUINE_BYLINES]
        readers = picked[DESK_SIZE + GENUINE_BYLINES:].reshape(2, LOYAL_READERS)
        personas = desk[:INVENTED_BYLINES]
        self.label[desk], self.campaign[desk], self.strategy[desk] = "campaign", "OP1", \
            "operation"
        self.strategy[personas] = "operation+persona_account"
        born = START_S - int(rng.integers(60, 200)) * DAY
        self.created[desk] = born + rng.integers(0, 21 * DAY, size=DESK_SIZE)
        for account, name in zip(personas, invented, strict=True):
            self.display[account] = name
            self.handle[account] = f"{name.lower().replace(' ', '_')}{rng.integers(10, 99)}"
        for account, name in zip(columnists, genuine, strict=True):
            self.label[account] = "columnist"
            self.display[account] = name
            self.handle[account] = name.replace(" ", "")
        self.label[readers.ravel()] = "reader"
        writers = [self._writer() for _ in range(2 + GENUINE_BYLINES)]
        public = np.flatnonzero(self.label == "organic")
        for index, name in enumerate(genuine):
            outlet = outlets[index % len(outlets)]
            fans = readers[index] if index < len(readers) else np.array([], dtype=np.int64)
            for published in self._publication_days(int(rng.integers(3, 6))):
                url, title, t = self._column(name, outlet, writers[2 + index], published)
                if rng.random() < 0.9:  # the columnist posts their own column
                    self._share(np.array([columnists[index]]), t + rng.lognormal(
                        np.log(900), 0.8, 1), url, title)
                loyal = fans[rng.random(len(fans)) < 0.6]
                self._share(loyal, t + rng.lognormal(np.log(2_400), 0.8, len(loyal)), url,
                            title)
                crowd = self._active_accounts(int(rng.poisson(12)) + 1, pool=public)
                self._share(crowd, t + rng.lognormal(np.log(4 * 3600), 1.2, len(crowd)), url,
                            title)
                camouflage = desk[rng.random(DESK_SIZE) < 0.05]
                self._share(camouflage, t + rng.lognormal(np.log(5 * 3600), 1.0,
                                                          len(camouflage)), url, title)
            self.bylines.append({"byline": name, "kind": "genuine", "operation": "",
                                 "account_id": f"{columnists[index]:07d}",
                                 "loyal_readers": ";".join(f"{r:07d}" for r in fans),
                                 "writers": f"W{2 + index}"})
        for index, name in enumerate(invented):
            outlet = outlets[index % 2]  # the desk places its columns in two outlets
            wrote = []
            for published in self._publication_days(int(rng.integers(4, 7))):
                wrote.append(int(rng.integers(2)))
                writer = writers[wrote[-1]]
                url, title, t = self._column(name, outlet, writer, published)
                first = t + int(rng.integers(180, 1_200))
                lead = self._share(np.array([personas[index]]), np.array([first]), url, title)
                pushing = desk[(rng.random(DESK_SIZE) < 0.75) & (desk != personas[index])]
                when = first + rng.integers(300, 3_300, size=len(pushing))
                how = rng.random(len(pushing))
                self.posts.add(pushing[how < 0.25], when[how < 0.25], 1, lead[0],
                               ["RT"] * int((how < 0.25).sum()), [[]] * int((how < 0.25).sum()),
                               [[]] * int((how < 0.25).sum()), self.client[pushing[how < 0.25]])
                titled = (how >= 0.25) & (how < 0.4)
                self._share(pushing[titled], when[titled], None, title)
                linked = how >= 0.4
                self._share(pushing[linked], when[linked], url, title)
                crowd = self._active_accounts(int(rng.poisson(3)), pool=public)
                self._share(crowd, t + rng.lognormal(np.log(6 * 3600), 1.2, len(crowd)), url,
                            title)
            self.bylines.append({"byline": name, "kind": "invented", "operation": "OP1",
                                 "account_id": f"{personas[index]:07d}", "loyal_readers": "",
                                 # which of the desk's two writers wrote each column, in order
                                 "writers": ";".join(f"W{w}" for w in wrote)})

    def _writer(self) -> dict:
        """A writer's habits: their own order of the most frequent words, a few words
        of their own they keep using, their sentence length and their commas."""
        rng = self.rng
        order = np.arange(len(self.vocab))
        order[:WRITER_WORDS] = rng.permutation(WRITER_WORDS)
        return {"order": order,
                "own": self.vocab[rng.choice(np.arange(WRITER_WORDS, len(self.vocab)),
                                             size=SIGNATURE_WORDS, replace=False)],
                "sentence": int(rng.integers(8, 24)), "commas": float(rng.uniform(0, 0.25))}

    def _publication_days(self, count: int) -> list[int]:
        """Publication times (seconds into the world): ``count`` days, office hours UTC."""
        days = np.sort(self.rng.choice(self.days - 1, size=min(count, self.days - 1),
                                       replace=False))
        return [int(d * DAY + self.rng.integers(6 * 3600, 18 * 3600)) for d in days]

    def _column(self, byline: str, outlet: tuple[str, str], writer: dict,
                published: int) -> tuple[str, str, int]:
        """One column: added to ``self.articles``; returns its URL, title and time."""
        rng = self.rng
        title = self._headline()
        slug = "-".join(title.lower().split()[:6])
        url = f"https://www.{outlet[1]}/opinion/{slug}-{rng.integers(10**5, 10**6)}"
        ranks = rng.zipf(1.1, size=int(rng.integers(500, 900))) % len(self.vocab)
        words = self.vocab[writer["order"][ranks]]
        own = rng.random(len(words)) < 0.05
        words[own] = rng.choice(writer["own"], size=int(own.sum()))
        comma = rng.random(len(words)) < writer["commas"]
        words = np.array([w + "," if c else w for w, c in zip(words, comma, strict=True)])
        lengths = rng.poisson(writer["sentence"], size=len(words)) + 3
        cuts = np.cumsum(lengths)
        sentences = [" ".join(words[a:b]).rstrip(",") for a, b in
                     zip(np.r_[0, cuts], cuts, strict=False) if a < len(words)]
        text = " ".join(s[:1].upper() + s[1:] + "." for s in sentences if s)
        stamp = datetime.fromtimestamp(START_S + published, UTC)
        self.articles.append({"article_id": f"A{len(self.articles) + 1:05d}", "byline": byline,
                              "outlet": outlet[0], "published_at": stamp.isoformat(),
                              "title": title, "text": text, "url": url})
        return url, title, published

    def _share(self, who: np.ndarray, when: np.ndarray, url: str | None,
               title: str) -> np.ndarray:
        """Posts of ``who`` sharing a column: its link (as each pastes it) with words of
        their own, or, without a link, its title."""
        n = len(who)
        if url is None:
            texts = [f"{title} {t}" for t in self._texts(n, 2, 6)]
            urls: list[list[str]] = [[] for _ in range(n)]
        else:
            texts = self._texts(n, 3, 10)
            urls = [[self._url_variant(url)] for _ in range(n)]
        return self.posts.add(who, np.asarray(when, dtype=np.int64), 0, -1, texts, [[]] * n,
                              urls, self.client[who])

    # ---- sockpuppets that take turns, and their patrollers ----------------------------
    def sockmasters(self) -> None:
        """Sockmasters after Wikipedia's sockpuppet investigations. Each has interests
        (obscure pages a few other people also edit), a time zone, a client, words of
        their own and a naming habit. Ban evaders run accounts one after another: each
        new account, created days before it starts, picks up most of its predecessor's
        pages. Rotators run two or three personas over the whole period, one per
        session. Most accounts are quiet. Patrollers (active accounts) watch some
        masters: they revert a sock's edit minutes later, and mass-revert a blocked
        account's pages a day or so after its last edit, with the summaries the wiki
        software writes ("Undid revision N by X (talk)", "Reverted edits by X (talk) to
        last version by Y")."""
        last_pages: list[str] = []
        rng = self.rng
        self.own_posts_from = self.posts.count
        masters = max(8, self.n // 400)
        kinds = ["ban_evasion" if rng.random() < 0.6 else "rotation" for _ in range(masters)]
        sizes = [int(rng.integers(2, 6)) if k == "ban_evasion" else int(rng.integers(2, 4))
                 for k in kinds]
        patrol = max(6, self.n // 800)
        free = np.flatnonzero(self.label == "organic")
        free = free[free != self.idol]
        active = free[self.rate[free] >= np.median(self.rate[free])]
        patrollers = rng.choice(active, size=patrol, replace=False)
        free = np.setdiff1d(free, patrollers)
        socks = rng.choice(free, size=sum(sizes), replace=False)
        self.label[patrollers] = "patroller"
        watch = rng.random((patrol, masters)) < 0.4
        reverts: list[tuple[int, int, str, str, bool]] = []  # time, master, page, who, mass
        public = np.flatnonzero(self.label == "organic")
        begin = 0
        for m, (kind, size) in enumerate(zip(kinds, sizes, strict=True)):
            accounts = socks[begin:begin + size]
            begin += size
            self.label[accounts] = "sockpuppet"
            self.campaign[accounts] = f"S{m + 1:02d}"
            self.strategy[accounts] = kind
            pages = [f"https://wiki.example/wiki/{self.vocab[a].title()}_{self.vocab[b]}"
                     for a, b in rng.integers(WRITER_WORDS, len(self.vocab), size=(24, 2))]
            for page in pages:  # the few other people who edit these pages
                visitors = rng.choice(public, size=int(rng.poisson(2)), replace=False)
                self.posts.add(visitors, rng.integers(0, self.horizon, len(visitors)), 0, -1,
                               self._texts(len(visitors)), [[]] * len(visitors),
                               [[page]] * len(visitors), self.client[visitors])
            self.offset_h[accounts] = rng.choice(UTC_OFFSETS_H)
            self.client[accounts] = rng.integers(len(CLIENTS))
            own = self.vocab[rng.choice(np.arange(WRITER_WORDS, len(self.vocab)), 12,
                                        replace=False)]
            self._sock_names(accounts)
            if rng.random() < 0.3:
                self.bio[accounts] = self.bio[accounts[0]]
            if kind == "rotation":  # one master, one persona per session
                sessions = self._sessions(accounts[0])
                owner = rng.integers(size, size=len(sessions))
            else:
                spans = self._sock_spans(size)
            for index, account in enumerate(accounts):
                if kind == "rotation":
                    start, end = 0, self.horizon
                    times = np.sort(np.concatenate(
                        [s for s, o in zip(sessions, owner, strict=True) if o == index]
                        or [np.empty(0, dtype=np.int64)]))
                else:
                    start, end = spans[index]
                    self.created[account] = START_S + start - int(rng.integers(0, 3 * DAY))
                    count = int(rng.poisson(rng.lognormal(-0.5, 0.8) * (end - start) / DAY)) + 1
                    times = np.sort(start + self._diurnal_times(np.full(count, account))
                                    % max(end - start, 1))
                interests = pages[min(index * 4, 10):min(index * 4, 10) + 14]
                # a new account picks up where the last one stopped: its first edits
                # go to the pages its predecessor edited last
                resume = list(last_pages[-int(rng.integers(1, 4)):]) if index else []
                last_pages = []
                for t in times:
                    text = " ".join(str(rng.choice(own)) if rng.random() < 0.25 else w
                                    for w in self._texts(1)[0].split())
                    page = str(rng.choice(interests)) if rng.random() < 0.65 else None
                    if resume and kind == "ban_evasion":
                        page = resume.pop()
                    if page:
                        last_pages.append(page)
                    self.posts.add([account], [t], 0, -1, [text], [[]],
                                   [[page]] if page else [[]], [self.client[account]])
                    if page and rng.random() < 0.4:
                        reverts.append((int(t), m, page, str(self.handle[account]), False))
                if kind == "ban_evasion" and index < size - 1 and end < self.horizon:
                    for page in sorted({str(rng.choice(interests)) for _ in range(4)}):
                        reverts.append((int(end + rng.integers(DAY // 2, 3 * DAY)), m, page,
                                        str(self.handle[account]), True))
        for t, m, page, handle, mass in reverts:
            watchers = patrollers[watch[:, m]]
            if not len(watchers):
                continue
            who = int(rng.choice(watchers))
            when = t if mass else t + int(rng.lognormal(np.log(900), 1.0)) + 60
            # the wiki software's own summaries: rollback names the editor restored,
            # undo the revision undone, so no two are the same text
            text = (f"Undid revision {rng.integers(10**8, 10**9)} by {handle} (talk)"
                    if rng.random() < 0.5 else
                    f"Reverted edits by {handle} (talk) to last version by "
                    f"{self.handle[rng.choice(public)]}")
            self.posts.add([who], [when], 0, -1, [text], [[]], [[page]], [self.client[who]])

    def _sock_names(self, accounts: np.ndarray) -> None:
        """Nearly half the masters keep a stem in every name; the rest pick new ones."""
        rng = self.rng
        if rng.random() >= 0.45:
            return
        a, b = self.vocab[rng.integers(WRITER_WORDS, len(self.vocab), 2)]
        for account in accounts:
            style = rng.integers(3)
            digits = rng.integers(2, 2_000)
            self.handle[account] = (f"{a}{b}{digits}", f"{a.title()}_{b.title()}",
                                    f"{a}_{b}{digits % 100}")[style]
            self.display[account] = f"{a.title()} {b.title()}" if rng.random() < 0.7 else \
                f"{a.title()} {self.vocab[rng.integers(len(self.vocab))].title()}"

    def _sock_spans(self, size: int) -> list[tuple[int, int]]:
        """Seconds into the world a ban evader uses each account: one after another,
        with a gap while the next account is made; squeezed to end within the world."""
        rng = self.rng
        first = int(rng.integers(0, self.horizon // 6))
        lengths = self.horizon * 0.8 / size * rng.uniform(0.4, 1.3, size)
        gaps = rng.exponential(1.5 * DAY, size) + 3_600
        squeeze = min(1.0, (self.horizon - first) / float(lengths.sum() + gaps[:-1].sum()))
        spans, start = [], float(first)
        for length, gap in zip(lengths * squeeze, gaps * squeeze, strict=True):
            spans.append((int(start), int(start + length)))
            start += length + gap
        return spans

    def _sessions(self, account: int) -> list[np.ndarray]:
        """A rotating master's sessions: a few posts minutes apart, at their hours."""
        rng = self.rng
        starts = self._diurnal_times(np.full(int(rng.poisson(0.5 * self.days)) + 1, account))
        return [s + np.cumsum(rng.integers(60, 600, size=int(rng.integers(1, 5))))
                for s in starts]

    # ---- output ---------------------------------------------------------------------
    def build(self) -> World:
        self.organic_ids = np.flatnonzero(self.label == "organic")
        self.fan_community()
        self.local_outlets(max(6, self.n // 1_000))
        self.organic_ids = np.flatnonzero(self.label == "organic")
        self.games = [self._hashtag_game(day) for day in range(self.days)]
        self.campaigns()
        self.organic_ids = np.flatnonzero(self.label != "campaign")
        self.organic()
        if self.operation:  # last, so that the rest of the world is the same without it
            self.influence_operation()
        if self.sockpuppets:
            self.sockmasters()
        return self

    def _tweet_rows(self, rows: np.ndarray, *, texts, tags, urls, client, user_id, account,
                    time, kind, target, post_id) -> pa.Table:
        """Archive-layout columns for the posts at ``rows`` (indices into the arrays)."""
        has_target = target[rows] >= 0
        tgt = np.where(has_target, target[rows], 0)
        ref_id = np.where(has_target, post_id[tgt].astype(str), "")
        ref_user = np.where(has_target, user_id[account[tgt]], "")
        k = kind[rows]
        text_col = [_with_entities(texts[i], tags[i], urls[i]) if kind[i] != 1 else
                    f"RT @{self.handle[account[target[i]]]}: "
                    f"{_with_entities(texts[target[i]], tags[target[i]], urls[target[i]])}"
                    for i in rows]
        stamp = (np.datetime64(START.replace(tzinfo=None), "s")
                 + time[rows].astype("timedelta64[s]"))
        acc = account[rows]
        blank = [""] * len(rows)
        zero = ["0"] * len(rows)
        return pa.table({
            "tweetid": post_id[rows].astype(str),
            "userid": user_id[acc],
            "user_display_name": self.display[acc],
            "user_screen_name": self.handle[acc],
            "user_reported_location": blank,
            "user_profile_description": self.bio[acc],
            "user_profile_url": blank,
            "follower_count": self.followers[acc].astype(str),
            "following_count": self.following[acc].astype(str),
            "account_creation_date": np.datetime_as_string(
                self.created[acc].astype("datetime64[s]"), unit="D"),
            "account_language": self.lang[acc],
            "tweet_language": ["en"] * len(rows),
            "tweet_text": text_col,
            "tweet_time": [t.replace("T", " ") for t in np.datetime_as_string(
                stamp, unit="s" if self.resolution == "seconds" else "m")],
            "tweet_client_name": np.array(CLIENTS, dtype=object)[client[rows]],
            "in_reply_to_userid": np.where(k == 2, ref_user, ""),
            "in_reply_to_tweetid": np.where(k == 2, ref_id, ""),
            "quoted_tweet_tweetid": np.where(k == 3, ref_id, ""),
            "is_retweet": np.where(k == 1, "true", "false"),
            "retweet_userid": np.where(k == 1, ref_user, ""),
            "retweet_tweetid": np.where(k == 1, ref_id, ""),
            "latitude": ["absent"] * len(rows),
            "longitude": ["absent"] * len(rows),
            "quote_count": zero, "reply_count": zero, "like_count": zero, "retweet_count": zero,
            "hashtags": [repr(tags[i]) if kind[i] != 1 else repr(tags[target[i]])
                         for i in rows],
            "urls": [repr(urls[i]) if kind[i] != 1 else repr(urls[target[i]]) for i in rows],
            "user_mentions": [f"['{u}']" if kind_ == 2 else "[]"
                              for u, kind_ in zip(ref_user, k, strict=True)],
        })

    def write(self, out: Path) -> dict[str, int]:
        out.mkdir(parents=True, exist_ok=True)
        p = self.posts
        account, time, kind = p.column("account"), p.column("time"), p.column("kind")
        target = p.column("target")
        keep = (time >= 0) & (time < self.horizon)
        if self.own_posts_from >= 0:  # a sockpuppet posts only what its master wrote
            keep &= ~((self.label[account] == "sockpuppet")
                      & (np.arange(len(time)) < self.own_posts_from))
        if self.collection == "targeted" and self.idol >= 0:
            # a collection built around the fan community: the wider public's reposts,
            # replies and quotes of the idol were never collected
            amplifies_idol = (target >= 0) & (account[np.maximum(target, 0)] == self.idol)
            public = (self.label[account] != "fan") & (account != self.idol)
            keep &= ~(amplifies_idol & public)
        order = np.lexsort((np.arange(len(time)), time))
        order = order[keep[order]]
        post_id = 1_760_000_000_000_000_000 + np.arange(len(time), dtype=np.int64)
        post_id[order] = 1_770_000_000_000_000_000 + np.arange(len(order)) * 7
        texts, tags, urls = p.listed("text"), p.listed("hashtags"), p.listed("urls")
        client = p.column("client")
        user_id = np.array([f"{i:07d}" for i in range(self.n)], dtype=object)
        columns = dict(texts=texts, tags=tags, urls=urls, client=client, user_id=user_id,
                       account=account, time=time, kind=kind, target=target, post_id=post_id)
        writer = None
        try:
            # batches keep memory flat for large worlds; the bytes are the same as one write
            for begin in range(0, len(order), BATCH):
                batch = self._tweet_rows(order[begin:begin + BATCH], **columns)
                if writer is None:
                    writer = pacsv.CSVWriter(out / "tweets.csv", batch.schema,
                                             write_options=pacsv.WriteOptions(
                                                 quoting_style="all_valid"))
                writer.write_table(batch)
        finally:
            if writer is not None:
                writer.close()
        rows = order
        users = pa.table({
            "userid": user_id,
            "user_display_name": self.display,
            "user_screen_name": self.handle,
            "user_reported_location": [""] * self.n,
            "user_profile_description": self.bio,
            "user_profile_url": [""] * self.n,
            "follower_count": self.followers.astype(str),
            "following_count": self.following.astype(str),
            "account_creation_date": np.datetime_as_string(
                self.created.astype("datetime64[s]"), unit="D"),
            "account_language": self.lang,
        })
        pacsv.write_csv(users, out / "users.csv", pacsv.WriteOptions(quoting_style="all_valid"))
        truth = pa.table({"account_id": user_id, "label": self.label,
                          "campaign": self.campaign, "strategy": self.strategy})
        pacsv.write_csv(truth, out / "truth.csv", pacsv.WriteOptions(quoting_style="needed"))
        if self.operation:
            pacsv.write_csv(pa.Table.from_pylist(self.articles), out / "articles.csv",
                            pacsv.WriteOptions(quoting_style="all_valid"))
            pacsv.write_csv(pa.Table.from_pylist(self.bylines), out / "bylines_truth.csv",
                            pacsv.WriteOptions(quoting_style="needed"))
        return {"articles": len(self.articles), "bylines": len(self.bylines),
                "posts": int(len(rows)), "accounts": self.n,
                "campaign_accounts": int((self.label == "campaign").sum()),
                "campaigns": len({c for c in self.campaign if c}),
                "fans": int((self.label == "fan").sum()),
                "outlets": int((self.label == "outlet").sum()),
                "sockpuppets": int((self.label == "sockpuppet").sum()),
                "patrollers": int((self.label == "patroller").sum())}


def _delays(rng: np.random.Generator, shape: tuple[int, float, int], n: int) -> np.ndarray:
    """``n`` whole-second repost delays: lognormal (median, sigma) plus a floor."""
    median, sigma, floor = shape
    return rng.lognormal(np.log(median), sigma, size=n).astype(np.int64) + floor


def _with_entities(text: str, tags: list[str], urls: list[str]) -> str:
    """A post's text as the platform shows it: hashtags and links the author did not
    write into the text go at its end."""
    extra = [f"#{t}" for t in tags if f"#{t}" not in text]
    extra += [u for u in urls if u not in text]
    return " ".join([text, *extra]) if extra else text


def simulate(out: str | Path, accounts: int = 20_000, days: int = 14,
             seed: int = 1, collection: str = "full", operation: bool = False,
             sockpuppets: bool = False, resolution: str = "seconds",
             fan_pace: str = "fast", feed_clock: str = "shared") -> dict[str, int]:
    """Generate a world and write ``tweets.csv``, ``users.csv`` and ``truth.csv``.

    ``collection="targeted"`` writes the dump a collector built around the fan community
    would have: the public's reposts, replies and quotes of the idol are missing, so the
    fans are the idol's only amplifiers in the data. ``operation=True`` adds an influence
    operation with invented bylines (``World.influence_operation``) and writes
    ``articles.csv`` and ``bylines_truth.csv`` too. ``sockpuppets=True`` adds
    sockmasters whose accounts take turns, and patrollers who revert them
    (``World.sockmasters``; truth labels ``sockpuppet`` and ``patroller``).
    ``resolution="minutes"`` writes times to the minute, as the platforms' archives do;
    ``fan_pace="crowd"`` has the fans repost their idol at the public's pace;
    ``feed_clock="own"`` has each feed account post hourly at its own minute."""
    return World(accounts, days, seed, collection, operation, sockpuppets, resolution,
                 fan_pace, feed_clock).build().write(Path(out))
