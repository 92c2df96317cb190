namespace Huddle.Web.Smart;

/// <summary>Registers SMART App Launch: the settings, the EHR client (trusting each tenant's pinned certificate too).</summary>
public static class SmartServices
{
    public static IServiceCollection AddHuddleSmart(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var settings = SmartSettings.From(configuration, environment);
        services.AddSingleton(settings);
        services.AddSingleton<SmartClient>();
        services.AddScoped<Widget.WidgetContext>();
        services.AddHttpClient(SmartClient.HttpClientName, http => http.Timeout = TimeSpan.FromSeconds(15))
            .ConfigurePrimaryHttpMessageHandler(() => new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = SmartClient.CertificateCheck(settings),
                // The EHR's endpoints answer directly: a redirect is not followed with a token or a code.
                AllowAutoRedirect = false,
                UseCookies = false,
            });
        return services;
    }
}
