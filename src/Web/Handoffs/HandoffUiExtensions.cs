using Microsoft.AspNetCore.Components.Server.Circuits;

namespace Huddle.Web.Handoffs;

/// <summary>Registers what the handoff screens need per circuit.</summary>
public static class HandoffUiExtensions
{
    public static IServiceCollection AddHandoffUi(this IServiceCollection services)
    {
        services.AddScoped<HandoffCircuit>();
        services.AddScoped<CircuitInbox>();
        services.AddScoped<Chat.CircuitUnread>();
        services.AddScoped<CircuitHandler>(sp => sp.GetRequiredService<HandoffCircuit>());
        return services;
    }
}
