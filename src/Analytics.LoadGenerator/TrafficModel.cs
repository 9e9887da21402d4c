using System.Text;

namespace Analytics.LoadGenerator;

/// <summary>
/// The simulated audience: a pool of concurrent sessions, each bound to one user, browsing Zipf-popular pages.
/// Pure and deterministic: the same options, run id, clock readings and seed give the same events, byte for byte.
/// </summary>
/// <remarks>
/// <para>Each call to <see cref="Next"/> picks a session from the pool. A session starts with a page view of an entry
/// page drawn from the Zipf law; each further event is another page view (next page drawn from the Zipf law, the
/// previous page as referrer) or another event type on the current page, with a probability chosen so that
/// <see cref="LoadGeneratorOptions.EventMix"/> of all well-formed events are not page views. After a random number
/// of events (about a third bounce after one) the session ends and a new session with a fresh id and a random user
/// takes its slot.</para>
/// <para>Independently of that, an event is malformed with probability <see cref="LoadGeneratorOptions.MalformedShare"/>
/// (the session does not advance) or late with probability <see cref="LoadGeneratorOptions.LateShare"/> (stamped
/// <see cref="LoadGeneratorOptions.LateBy"/> in the past; never among the first <see cref="LateWarmupEvents"/>).</para>
/// <para>Not thread-safe: one model per producing thread.</para>
/// </remarks>
public sealed class TrafficModel
{
    /// <summary>The non-page-view event types, with weights (how often each occurs among them).</summary>
    public static IReadOnlyList<(string Type, int Weight)> OtherEventTypes { get; } =
        [("click", 9), ("scroll", 7), ("search", 2), ("form_submit", 1), ("video_play", 1)];

    /// <summary>
    /// No late events among the first this many: by then on-time events (about as many distinct sessions, so keys)
    /// have reached every partition, so a late event is never the first event a partition's watermark sees.
    /// </summary>
    public const int LateWarmupEvents = 1_000;

    /// <summary>The malformed kinds, with weights. Oversized messages are rare because each is over 64 KiB.</summary>
    public static IReadOnlyList<(MalformedKind Kind, int Weight)> MalformedKinds { get; } =
    [
        (MalformedKind.NotJson, 3), (MalformedKind.JsonArray, 2), (MalformedKind.MissingPage, 2),
        (MalformedKind.EmptyPage, 2), (MalformedKind.BadTimestamp, 2), (MalformedKind.MissingTimestamp, 2),
        (MalformedKind.WrongType, 2), (MalformedKind.Oversized, 1),
    ];

    private static readonly string[] UserAgents =
    [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
        "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
        "Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 Edg/131.0",
    ];

    private static readonly string[] ExternalReferrers =
    [
        "https://www.google.com/", "https://www.bing.com/", "https://news.ycombinator.com/",
        "https://www.reddit.com/", "https://twitter.com/", "https://github.com/",
    ];

    // 100 slots: a user's country is the slot its number hashes to, so it never changes between events.
    private static readonly string[] CountrySlots = BuildCountrySlots();

    private static readonly string[] OtherTypeSlots = Expand(OtherEventTypes);
    private static readonly MalformedKind[] MalformedSlots = Expand(MalformedKinds);

    // Session lengths: a bounce (one event) with this probability, otherwise 2 events plus a geometric number more.
    private const double BounceShare = 0.35;
    private const double ContinueProbability = 0.83;
    private const int MaxSessionLength = 200;

    // Share of events that open a session (and so must be page views): 1 / mean session length.
    private static readonly double EntryShare =
        1 / (BounceShare + ((1 - BounceShare) * (2 + (ContinueProbability / (1 - ContinueProbability)))));

    private static readonly double MinDwellLog = Math.Log(200);
    private static readonly double MaxDwellLog = Math.Log(180_000);

    private readonly LoadGeneratorOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly Random _random;
    private readonly EventFactory _factory = new();
    private readonly Session[] _sessions;
    private readonly long _lateByTicks;
    private readonly double _otherShareAfterEntry;
    private long _sequence;
    private long _sessionCounter;

    // Page incidents (see ApplyAdjustment); null when none is active.
    private int[]? _spikePages;
    private double[]? _spikeCdf;
    private double _spikeShare;
    private double[]? _acceptance;

    /// <summary>Creates the model and opens the initial pool of sessions.</summary>
    /// <param name="options">Traffic shape: pages, users, sessions, Zipf exponent, shares.</param>
    /// <param name="runId">Embedded into every event as <c>run_id</c> and into every session id.</param>
    /// <param name="timeProvider">The clock that stamps events.</param>
    /// <param name="random">The only source of randomness.</param>
    public TrafficModel(LoadGeneratorOptions options, string runId, TimeProvider timeProvider, Random random)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(runId);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(random);
        _options = options;
        RunId = runId;
        _timeProvider = timeProvider;
        _random = random;
        _lateByTicks = options.LateBy.Ticks;

        // Entry events are always page views, so later events carry a bit more of the mix to hit EventMix overall.
        _otherShareAfterEntry = Math.Min(1.0, options.EventMix / (1 - EntryShare));
        Pages = new PageCatalog(options.Pages, options.PagePrefix);
        Zipf = new ZipfSampler(options.Pages, options.ZipfExponent);
        _sessions = new Session[options.Sessions];
        for (var i = 0; i < _sessions.Length; i++)
        {
            _sessions[i] = NewSession();
        }
    }

    /// <summary>The run id in every event.</summary>
    public string RunId { get; }

    /// <summary>The pages, by popularity rank.</summary>
    public PageCatalog Pages { get; }

    /// <summary>The page popularity law.</summary>
    public ZipfSampler Zipf { get; }

    /// <summary>Number of events generated so far.</summary>
    public long Generated => _sequence;

    /// <summary>Number of sessions opened so far, the initial pool included.</summary>
    public long SessionsStarted => _sessionCounter;

    /// <summary>
    /// Applies incident multipliers: page traffic is re-weighted so a page with factor f gets f times its usual
    /// share while the other pages keep theirs. Returns the factor to apply to the base rate so absolute rates
    /// come out right: the site factor times the new total page weight.
    /// </summary>
    public double ApplyAdjustment(TrafficAdjustment adjustment)
    {
        ArgumentNullException.ThrowIfNull(adjustment);
        _spikePages = null;
        _spikeCdf = null;
        _acceptance = null;
        _spikeShare = 0;
        if (adjustment.PageFactors.Count == 0)
        {
            return adjustment.SiteFactor;
        }

        // Sampling from p_i * f_i: with probability E / (Z + E) draw among spiked pages in proportion to the extra
        // mass (f - 1) p; otherwise draw from the plain law and keep a dropped page with probability f.
        var kept = 1.0;
        var extra = 0.0;
        var spikes = new List<(int Page, double Mass)>();
        foreach (var (page, factor) in adjustment.PageFactors.OrderBy(p => p.Key))
        {
            var p = Zipf.Probability(page);
            if (factor > 1)
            {
                extra += (factor - 1) * p;
                spikes.Add((page, (factor - 1) * p));
            }
            else if (factor < 1)
            {
                kept -= (1 - factor) * p;
                _acceptance ??= Enumerable.Repeat(1.0, Pages.Count).ToArray();
                _acceptance[page] = factor;
            }
        }

        if (spikes.Count > 0)
        {
            _spikePages = [.. spikes.Select(s => s.Page)];
            _spikeCdf = new double[spikes.Count];
            var cumulative = 0.0;
            for (var i = 0; i < spikes.Count; i++)
            {
                cumulative += spikes[i].Mass / extra;
                _spikeCdf[i] = cumulative;
            }

            _spikeCdf[^1] = 1.0;
            _spikeShare = extra / (kept + extra);
        }

        return adjustment.SiteFactor * (kept + extra);
    }

    /// <summary>Generates the next event, stamped with the current time of the clock.</summary>
    public GeneratedEvent Next()
    {
        var sequence = ++_sequence;
        var now = TruncateToMilliseconds(_timeProvider.GetUtcNow().UtcDateTime);
        var slot = _random.Next(_sessions.Length);
        var session = _sessions[slot];
        var roll = _random.NextDouble();

        if (roll < _options.MalformedShare)
        {
            var kind = MalformedSlots[_random.Next(MalformedSlots.Length)];
            var page = Pages[Zipf.Sample(_random)];
            var fields = Fields(session, "page_view", page, now, referrer: null);
            return new GeneratedEvent
            {
                Sequence = sequence,
                Category = EventCategory.Malformed,
                Malformed = kind,
                UserIndex = session.User,
                SessionId = session.Id,
                Key = session.Key,
                Payload = _factory.WriteMalformed(kind, fields, _random),
                Timestamp = now,
            };
        }

        var late = roll < _options.MalformedShare + _options.LateShare && sequence > LateWarmupEvents;
        var timestamp = late ? new DateTime(now.Ticks - _lateByTicks, DateTimeKind.Utc) : now;
        string eventType;
        string? referrer;
        int pageIndex;
        if (session.Page < 0 || _random.NextDouble() >= _otherShareAfterEntry)
        {
            eventType = "page_view";
            pageIndex = SamplePage();
            referrer = session.Page < 0 ? EntryReferrer() : Pages.UrlOf(session.Page);
            session.Page = pageIndex;
        }
        else
        {
            eventType = OtherTypeSlots[_random.Next(OtherTypeSlots.Length)];
            pageIndex = session.Page;
            referrer = null;
        }

        var generated = new GeneratedEvent
        {
            Sequence = sequence,
            Category = late ? EventCategory.Late : eventType == "page_view" ? EventCategory.PageView : EventCategory.OtherEvent,
            EventType = eventType,
            Page = Pages[pageIndex],
            UserIndex = session.User,
            SessionId = session.Id,
            Key = session.Key,
            Payload = _factory.Write(Fields(session, eventType, Pages[pageIndex], timestamp, referrer)),
            Timestamp = timestamp,
        };

        if (--session.Remaining <= 0)
        {
            _sessions[slot] = NewSession();
        }

        return generated;
    }

    private EventFields Fields(Session session, string eventType, string page, DateTime timestamp, string? referrer)
    {
        var dwell = (int)Math.Exp(MinDwellLog + (_random.NextDouble() * (MaxDwellLog - MinDwellLog)));
        return new EventFields(
            eventType,
            session.User,
            session.Id,
            page,
            timestamp,
            referrer,
            dwell,
            session.UserAgent,
            CountrySlots[(int)((uint)session.User * 2654435761u % (uint)CountrySlots.Length)],
            RunId);
    }

    private int SamplePage()
    {
        if (_spikePages is not null && _random.NextDouble() < _spikeShare)
        {
            var u = _random.NextDouble();
            var i = 0;
            while (i < _spikeCdf!.Length - 1 && _spikeCdf[i] <= u)
            {
                i++;
            }

            return _spikePages[i];
        }

        var page = Zipf.Sample(_random);
        if (_acceptance is null)
        {
            return page;
        }

        // Rejection for dropped pages; bounded so a drop to zero of almost everything cannot spin forever.
        for (var attempt = 0; attempt < 10_000 && _acceptance[page] < 1 && _random.NextDouble() >= _acceptance[page]; attempt++)
        {
            page = Zipf.Sample(_random);
        }

        return page;
    }

    private string? EntryReferrer()
    {
        // About 40% direct traffic (no referrer), the rest from a few external sites.
        var pick = _random.Next(10);
        return pick < 4 ? null : ExternalReferrers[pick % ExternalReferrers.Length];
    }

    private Session NewSession()
    {
        var number = ++_sessionCounter;
        var id = "s-" + RunId + "-" + number.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var user = _random.Next(1, _options.Users + 1);
        var length = 1;
        if (_random.NextDouble() >= BounceShare)
        {
            // Non-bouncing sessions: 2 + a geometric number of further events, about 7 on average.
            length = 2;
            while (length < MaxSessionLength && _random.NextDouble() < ContinueProbability)
            {
                length++;
            }
        }

        return new Session
        {
            Id = id,
            Key = Encoding.UTF8.GetBytes(id),
            User = user,
            Remaining = length,
            UserAgent = UserAgents[_random.Next(UserAgents.Length)],
        };
    }

    private static DateTime TruncateToMilliseconds(DateTime utc) =>
        new(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);

    private static T[] Expand<T>(IReadOnlyList<(T Value, int Weight)> weighted) =>
        [.. weighted.SelectMany(w => Enumerable.Repeat(w.Value, w.Weight))];

    private static string[] BuildCountrySlots()
    {
        (string Code, int Slots)[] shares =
        [
            ("US", 30), ("DE", 10), ("GB", 9), ("IN", 8), ("FR", 6), ("BR", 5), ("JP", 5), ("CA", 4),
            ("NL", 3), ("ES", 3), ("AU", 3), ("PL", 3), ("IT", 3), ("SE", 2), ("MX", 2), ("KR", 2), ("CH", 1), ("ZA", 1),
        ];
        return Expand(shares);
    }

    private sealed class Session
    {
        public required string Id { get; init; }

        public required byte[] Key { get; init; }

        public required int User { get; init; }

        public required string UserAgent { get; init; }

        public int Remaining { get; set; }

        public int Page { get; set; } = -1;
    }
}
