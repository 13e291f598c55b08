using Microsoft.AspNetCore.Mvc.ApplicationModels;

namespace Tessera.Server.WebConsole;

/// <summary>Puts every console page under <c>/console</c>: a page's own route is the rest of its path.</summary>
internal sealed class ConsoleRoutes : IPageRouteModelConvention
{
    public void Apply(PageRouteModel model)
    {
        foreach (var selector in model.Selectors)
            selector.AttributeRouteModel!.Template = AttributeRouteModel.CombineTemplates(ConsoleSetup.Root[1..], selector.AttributeRouteModel.Template);
    }
}
