using Analytics.IntegrationTests.Infrastructure;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Analytics.IntegrationTests.Client;

/// <summary>The live page in headless Chromium (Debian's, driven by Playwright): it shows, updates and alerts.</summary>
[Collection(LiveQueryCollection.Name)]
public sealed class DashboardBrowserTests(LiveQueryFixture fixture)
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly LocatorAssertionsToBeVisibleOptions Soon = new() { Timeout = 20_000 };

    [Fact]
    public async Task TheLivePage_ShowsTopPages_UpdatesThemAsEventsArrive_AndShowsAnInjectedAnomaly()
    {
        if (!File.Exists(Chromium))
            throw new MissingPrerequisiteException($"{Chromium} not found. Install it with `apt-get install -y chromium` (test.sh does).");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 1000 } });
        var consoleErrors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") consoleErrors.Add(message.Text); };

        await page.GotoAsync(fixture.DashboardUri.ToString());

        // The fixture's pages, with their exact figures.
        var a = page.Locator($"#top-pages tr[data-page='{LiveQueryFixture.Prefix}a']");
        await Expect(a).ToBeVisibleAsync(Soon);
        await Expect(a.Locator("td.views")).ToHaveTextAsync("300");
        await Expect(a.Locator("td.visitors")).ToHaveTextAsync("40");
        await Expect(page.Locator("#status")).ToHaveTextAsync("live");

        // New traffic on a new page takes the lead without a reload.
        var prefix = $"/ui-{Guid.NewGuid():N}"[..12] + "/";
        var traffic = LiveTraffic.Create(DateTime.UtcNow, 11, (prefix + "launch", 1500, 25, 0));
        await fixture.ProduceAsync(traffic.Payloads);
        var launch = page.Locator($"#top-pages tbody tr[data-page='{prefix}launch']");
        await Expect(launch).ToBeVisibleAsync(Soon);
        await Expect(launch.Locator("td.views")).ToHaveTextAsync("1,500", new LocatorAssertionsToHaveTextOptions { Timeout = 20_000 });
        await Expect(page.Locator("#top-pages tbody tr").First).ToHaveAttributeAsync("data-page", prefix + "launch");

        // An anomaly published by the cluster appears in the feed.
        var anomaly = LiveQueryClientTests.Notification($"ui-{Guid.NewGuid():N}") with { Page = prefix + "launch" };
        await fixture.PublishAnomalyAsync(anomaly);
        var item = page.Locator($"#anomalies li[data-incident='{anomaly.IncidentId}']");
        await Expect(item).ToBeVisibleAsync(Soon);
        await Expect(item).ToContainTextAsync($"Spike on {prefix}launch started");

        // The overview and the events-per-second chart are drawn.
        await Expect(page.Locator("#late")).ToHaveTextAsync(LiveQueryFixture.LateEvents.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(page.Locator("#eps-chart polyline")).ToHaveCountAsync(1);
        Assert.True(await page.Locator("#top-pages tbody tr svg.spark polyline").CountAsync() > 0, "sparklines are drawn");

        var screenshot = Path.Combine(RepositoryPaths.Root, "artifacts", "dashboard", "dashboard.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot was saved");
        Assert.Empty(consoleErrors);
    }
}
