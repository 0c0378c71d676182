from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "applications"

    def ready(self):
        from accounts.registry import owner_models
        from applications.models import ApplicationHistory, GeneratedApplication

        owner_models.register(ApplicationHistory, owner="user")
        owner_models.register(GeneratedApplication, owner="user")

        from core.first_steps import first_steps

        first_steps.register(
            order=30,
            label="Write your first application",
            why="Six sections drafted from your profile and documents, ready to edit.",
            url_name="applications:list",
            done=lambda user: GeneratedApplication.objects.filter(user=user).exists(),
        )

        from applications.services import application_generation_interrupted
        from applications.tasks import generate_application
        from core.workers import stale_task_handlers

        # Writing whose worker died mid-task fails with the reason and gives the allowance back.
        stale_task_handlers.register(generate_application, application_generation_interrupted)
