-- The Alembic revision stamp of the legacy database, as the legacy application leaves it.
-- applications.0001 reads this file to put the stamp back when the conversion is reversed.
CREATE TABLE public.alembic_version (version_num character varying(32) NOT NULL);
ALTER TABLE ONLY public.alembic_version ADD CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num);
INSERT INTO public.alembic_version (version_num) VALUES ('d896bf2738fb');
