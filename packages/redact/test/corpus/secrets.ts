// biome-ignore-all lint/suspicious/noTemplateCurlyInString: placeholders such as ${TOKEN} are the data
// Generated labelled corpus; see ./labelled-case.ts for the format.
// Values are synthetic: valid by construction (Luhn, mod-97, SSA rules…) or deliberately invalid.
import type { LabelledCase } from "./labelled-case.js";

export const SECRETS_CORPUS: readonly LabelledCase[] = [
  // JWT: 32 positives, 30 look-alike negatives
  {
    detector: "JWT",
    text: "token eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI5MDc4ODUyOCIsIm5hbWUiOiJBOEt3cjIiLCJpYXQiOjE3MTgwMjkxNDl9.GYwVux5yWQe5LH2R2gpr-n3vcIlC7bQqWMuUv29rl2e",
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI5MDc4ODUyOCIsIm5hbWUiOiJBOEt3cjIiLCJpYXQiOjE3MTgwMjkxNDl9.GYwVux5yWQe5LH2R2gpr-n3vcIlC7bQqWMuUv29rl2e",
  },
  {
    detector: "JWT",
    text: "id_token=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI4ODg4MjA1MiIsIm5hbWUiOiJWUFRmNjYiLCJpYXQiOjE3MTgwMjk1NDd9.8vLvExsOlK43A56SIC_4GtC8i6CvHTLNoQg_I_i1dNq",
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI4ODg4MjA1MiIsIm5hbWUiOiJWUFRmNjYiLCJpYXQiOjE3MTgwMjk1NDd9.8vLvExsOlK43A56SIC_4GtC8i6CvHTLNoQg_I_i1dNq",
  },
  {
    detector: "JWT",
    text: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI2MDI4OTY3MiIsIm5hbWUiOiJ4SGdSd0YiLCJpYXQiOjE3MTgwOTE5Mjh9.el-Rwm0hFnNMh-9_0ZTXM7CxsSchLEYMCIR_UdPrKiy",
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI2MDI4OTY3MiIsIm5hbWUiOiJ4SGdSd0YiLCJpYXQiOjE3MTgwOTE5Mjh9.el-Rwm0hFnNMh-9_0ZTXM7CxsSchLEYMCIR_UdPrKiy",
  },
  {
    detector: "JWT",
    text: "cookie: session=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwMTM5MTA4OSIsIm5hbWUiOiJscnRSa1ciLCJpYXQiOjE3MTgwMzA2NDd9.zxsWudKdJlb1Olb_M2oFktueynYLNonG4KeEL3LsMWH",
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwMTM5MTA4OSIsIm5hbWUiOiJscnRSa1ciLCJpYXQiOjE3MTgwMzA2NDd9.zxsWudKdJlb1Olb_M2oFktueynYLNonG4KeEL3LsMWH",
  },
  {
    detector: "JWT",
    text: '"access_token":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxODYyNTQ1MSIsIm5hbWUiOiJnMTc1TkkiLCJpYXQiOjE3MTgwMTExMjJ9.42pTZuXusBjYwL3VTo6XXrkvbR69pAw7KgIV-NHNAqO"',
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxODYyNTQ1MSIsIm5hbWUiOiJnMTc1TkkiLCJpYXQiOjE3MTgwMTExMjJ9.42pTZuXusBjYwL3VTo6XXrkvbR69pAw7KgIV-NHNAqO",
  },
  {
    detector: "JWT",
    text: "token eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI5MjUwNTI0NCIsIm5hbWUiOiJ0MWZaUWQiLCJpYXQiOjE3MTgwNzEyMjl9.5VbvAOv7_c3tg4N5Tjp8GD2_CHsJPFYx0if3B_7OH15",
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI5MjUwNTI0NCIsIm5hbWUiOiJ0MWZaUWQiLCJpYXQiOjE3MTgwNzEyMjl9.5VbvAOv7_c3tg4N5Tjp8GD2_CHsJPFYx0if3B_7OH15",
  },
  {
    detector: "JWT",
    text: "id_token=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI5MDY5Njk1OCIsIm5hbWUiOiJWZFdKT3MiLCJpYXQiOjE3MTgwNTE0ODN9.jRYLajIhFBevhFP17aj6g9soBmFNnSDbEF-bzT_oY1X",
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI5MDY5Njk1OCIsIm5hbWUiOiJWZFdKT3MiLCJpYXQiOjE3MTgwNTE0ODN9.jRYLajIhFBevhFP17aj6g9soBmFNnSDbEF-bzT_oY1X",
  },
  {
    detector: "JWT",
    text: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI1OTAxNjQ4NyIsIm5hbWUiOiJ1VnFqWkUiLCJpYXQiOjE3MTgwNTQ1MzN9.hYKRA1K2vY3ILlB7-JY4Lmp6zLJwuXmNAABvUlLzoHq",
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI1OTAxNjQ4NyIsIm5hbWUiOiJ1VnFqWkUiLCJpYXQiOjE3MTgwNTQ1MzN9.hYKRA1K2vY3ILlB7-JY4Lmp6zLJwuXmNAABvUlLzoHq",
  },
  {
    detector: "JWT",
    text: "cookie: session=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0Njk3MzQzMSIsIm5hbWUiOiIyMmE5SmYiLCJpYXQiOjE3MTgwMTc1MTJ9.bIPofy-pq9BzoL31opUz0iHoumqN3ZWaOorrpN2Qq8E",
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0Njk3MzQzMSIsIm5hbWUiOiIyMmE5SmYiLCJpYXQiOjE3MTgwMTc1MTJ9.bIPofy-pq9BzoL31opUz0iHoumqN3ZWaOorrpN2Qq8E",
  },
  {
    detector: "JWT",
    text: '"access_token":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI2NjI5Mjg0NSIsIm5hbWUiOiJZT3pUMnkiLCJpYXQiOjE3MTgwODk2MzJ9.41nBGLG0regaNG27dLyZV5u_G2zt3RhL4MaAO9FPeEm"',
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI2NjI5Mjg0NSIsIm5hbWUiOiJZT3pUMnkiLCJpYXQiOjE3MTgwODk2MzJ9.41nBGLG0regaNG27dLyZV5u_G2zt3RhL4MaAO9FPeEm",
  },
  {
    detector: "JWT",
    text: "token eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI4MzM4OTA0MyIsIm5hbWUiOiIwOUh0bk0iLCJpYXQiOjE3MTgwODQwNjl9.eYw7fPx9XmPqr6jwIxC7H44-QKwtdlE8cXwY9CL5cfv",
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI4MzM4OTA0MyIsIm5hbWUiOiIwOUh0bk0iLCJpYXQiOjE3MTgwODQwNjl9.eYw7fPx9XmPqr6jwIxC7H44-QKwtdlE8cXwY9CL5cfv",
  },
  {
    detector: "JWT",
    text: "id_token=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI1MDA3MjIzOCIsIm5hbWUiOiJsdGdSU0giLCJpYXQiOjE3MTgwOTQ2OTZ9.li45vB1Sapeh7yhLR2ZbIVXergvO7QTw8s52GYMlI9a",
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI1MDA3MjIzOCIsIm5hbWUiOiJsdGdSU0giLCJpYXQiOjE3MTgwOTQ2OTZ9.li45vB1Sapeh7yhLR2ZbIVXergvO7QTw8s52GYMlI9a",
  },
  {
    detector: "JWT",
    text: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MDE5ODM2NyIsIm5hbWUiOiIxdkdERnAiLCJpYXQiOjE3MTgwNDk2MDF9.cU1_Sc8zvP6Pwg_5ASkrgaeJteJQTOb1nAvyGti0OPc",
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MDE5ODM2NyIsIm5hbWUiOiIxdkdERnAiLCJpYXQiOjE3MTgwNDk2MDF9.cU1_Sc8zvP6Pwg_5ASkrgaeJteJQTOb1nAvyGti0OPc",
  },
  {
    detector: "JWT",
    text: "cookie: session=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI1MTA4NTgxNCIsIm5hbWUiOiJQNkJZbjEiLCJpYXQiOjE3MTgwODQ5MjJ9.gci5_hpKYIYuUlNoOhjhVSPCZ1qCvhnPTrFUmOmmwXn",
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI1MTA4NTgxNCIsIm5hbWUiOiJQNkJZbjEiLCJpYXQiOjE3MTgwODQ5MjJ9.gci5_hpKYIYuUlNoOhjhVSPCZ1qCvhnPTrFUmOmmwXn",
  },
  {
    detector: "JWT",
    text: '"access_token":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI2MzYyMTE2MyIsIm5hbWUiOiJIQ0p0QzAiLCJpYXQiOjE3MTgwNzUzOTF9.hpt0Vce8zisvlWoh8SJJ82Atr1itslyDE47s46I7UPY"',
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI2MzYyMTE2MyIsIm5hbWUiOiJIQ0p0QzAiLCJpYXQiOjE3MTgwNzUzOTF9.hpt0Vce8zisvlWoh8SJJ82Atr1itslyDE47s46I7UPY",
  },
  {
    detector: "JWT",
    text: "token eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI2MzU3MzkwMiIsIm5hbWUiOiJNY09GTkoiLCJpYXQiOjE3MTgwNjgyMzV9.Lu00Cd-wZ5aF0ERNqEqhw2kC9ui-lshAGFv1jpJtr9D",
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI2MzU3MzkwMiIsIm5hbWUiOiJNY09GTkoiLCJpYXQiOjE3MTgwNjgyMzV9.Lu00Cd-wZ5aF0ERNqEqhw2kC9ui-lshAGFv1jpJtr9D",
  },
  {
    detector: "JWT",
    text: "id_token=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIyMjc4NzE3NiIsIm5hbWUiOiJEazVINGUiLCJpYXQiOjE3MTgwNzA5MjN9._Sq3TPIaCIaHe_gSBHgYQdR7SasE3pj-mbOQ_Otm4EE",
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIyMjc4NzE3NiIsIm5hbWUiOiJEazVINGUiLCJpYXQiOjE3MTgwNzA5MjN9._Sq3TPIaCIaHe_gSBHgYQdR7SasE3pj-mbOQ_Otm4EE",
  },
  {
    detector: "JWT",
    text: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwNTA0ODQwOSIsIm5hbWUiOiJiWmhwbmwiLCJpYXQiOjE3MTgwMDU0MDd9.xgKlDRhlk8977nuO_hh2rSkjjNVVuizFVKIsZE231LP",
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwNTA0ODQwOSIsIm5hbWUiOiJiWmhwbmwiLCJpYXQiOjE3MTgwMDU0MDd9.xgKlDRhlk8977nuO_hh2rSkjjNVVuizFVKIsZE231LP",
  },
  {
    detector: "JWT",
    text: "cookie: session=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMzM0OTE4MyIsIm5hbWUiOiJpd0E4MUkiLCJpYXQiOjE3MTgwMDAyNDB9.UB0f2ziE9zCFlkptcAiaQ_gqhqXeNHwALKMre8b3FNL",
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMzM0OTE4MyIsIm5hbWUiOiJpd0E4MUkiLCJpYXQiOjE3MTgwMDAyNDB9.UB0f2ziE9zCFlkptcAiaQ_gqhqXeNHwALKMre8b3FNL",
  },
  {
    detector: "JWT",
    text: '"access_token":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI2NjI3MDc2NyIsIm5hbWUiOiJLMUNYV2EiLCJpYXQiOjE3MTgwNjg5MTN9.6_OsKZDGd1lOx-9pq24nIePlvSfjBdSBkxU2wT35jvz"',
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI2NjI3MDc2NyIsIm5hbWUiOiJLMUNYV2EiLCJpYXQiOjE3MTgwNjg5MTN9.6_OsKZDGd1lOx-9pq24nIePlvSfjBdSBkxU2wT35jvz",
  },
  {
    detector: "JWT",
    text: "token eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI4MjcwOTM2MiIsIm5hbWUiOiJpUDU3ZUQiLCJpYXQiOjE3MTgwMjUxNTd9.fzXv7gwabHTpYWygKRRUFQWlBW_VocqFv2lnBOkT91TUUiv_jR3nj-Rh7tSFbeDV6ypekpC968o7JxTTVt8ADg",
    secret:
      "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI4MjcwOTM2MiIsIm5hbWUiOiJpUDU3ZUQiLCJpYXQiOjE3MTgwMjUxNTd9.fzXv7gwabHTpYWygKRRUFQWlBW_VocqFv2lnBOkT91TUUiv_jR3nj-Rh7tSFbeDV6ypekpC968o7JxTTVt8ADg",
  },
  {
    detector: "JWT",
    text: "id_token=eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI3MDQzNjA0NiIsIm5hbWUiOiJJWkd1c3ciLCJpYXQiOjE3MTgwMDczNjh9.c5ujBe9rDIaKwfnWECO2Cd162f8oTleNaC-ZV9tQcWeFy5kXJ0DjIssBTPaZuhvZwlGkaVpw61RVCvvAyA5Qpg",
    secret:
      "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI3MDQzNjA0NiIsIm5hbWUiOiJJWkd1c3ciLCJpYXQiOjE3MTgwMDczNjh9.c5ujBe9rDIaKwfnWECO2Cd162f8oTleNaC-ZV9tQcWeFy5kXJ0DjIssBTPaZuhvZwlGkaVpw61RVCvvAyA5Qpg",
  },
  {
    detector: "JWT",
    text: "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxNDY1ODEwMyIsIm5hbWUiOiJsU0laSW8iLCJpYXQiOjE3MTgwNDQzNDR9.w1Akbqhyjb4fdgFMFHs1Pk1IbwfMpEoF1wd9HnKsgpA18aNVew551OrByxqX51TMoKwrh1nul-B--YGEGvVSpA",
    secret:
      "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxNDY1ODEwMyIsIm5hbWUiOiJsU0laSW8iLCJpYXQiOjE3MTgwNDQzNDR9.w1Akbqhyjb4fdgFMFHs1Pk1IbwfMpEoF1wd9HnKsgpA18aNVew551OrByxqX51TMoKwrh1nul-B--YGEGvVSpA",
  },
  {
    detector: "JWT",
    text: "cookie: session=eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI1Njc4MzAyMyIsIm5hbWUiOiJjd2xjeVIiLCJpYXQiOjE3MTgwOTU0NDh9.5LzJ-CHBsebP8RlffucZc9y_ieV27RRBeFMpHvSZr_X9HuHAlJ7b-fqpJQOUSOU4eG5IgnNcTBYuUBh8VHJ1ig",
    secret:
      "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI1Njc4MzAyMyIsIm5hbWUiOiJjd2xjeVIiLCJpYXQiOjE3MTgwOTU0NDh9.5LzJ-CHBsebP8RlffucZc9y_ieV27RRBeFMpHvSZr_X9HuHAlJ7b-fqpJQOUSOU4eG5IgnNcTBYuUBh8VHJ1ig",
  },
  {
    detector: "JWT",
    text: '"access_token":"eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIzOTk0MTQxNCIsIm5hbWUiOiJMQWQyczUiLCJpYXQiOjE3MTgwMjQzODJ9.NOSm5eqb6KLSgHMlnU7YDypKQaTi71t5JdxJWdlM8j-2ooQfthQBe6z_539F6YaTCW81oGADwTWzqeV5jd9luA"',
    secret:
      "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIzOTk0MTQxNCIsIm5hbWUiOiJMQWQyczUiLCJpYXQiOjE3MTgwMjQzODJ9.NOSm5eqb6KLSgHMlnU7YDypKQaTi71t5JdxJWdlM8j-2ooQfthQBe6z_539F6YaTCW81oGADwTWzqeV5jd9luA",
  },
  {
    detector: "JWT",
    text: "token eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI5MzYxNDk4OCIsIm5hbWUiOiI0MjA4Z0ciLCJpYXQiOjE3MTgwNjkyMDN9.TAhCufQeDozKSDHVf16uwrVtOlWN-BYx4lCPlvbxpGA9ZWaqvJKvchPDOfwU3MPEDotYVdSrMWeQ3VG0uyKivQ",
    secret:
      "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI5MzYxNDk4OCIsIm5hbWUiOiI0MjA4Z0ciLCJpYXQiOjE3MTgwNjkyMDN9.TAhCufQeDozKSDHVf16uwrVtOlWN-BYx4lCPlvbxpGA9ZWaqvJKvchPDOfwU3MPEDotYVdSrMWeQ3VG0uyKivQ",
  },
  {
    detector: "JWT",
    text: "id_token=eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0Nzg2OTkwOCIsIm5hbWUiOiJKZ3lrRkQiLCJpYXQiOjE3MTgwMjcyMzR9.Fv_KWDwL1K03M9kEFHJTsPEimMMnXciseXcmUwt6b1O6evPZKjVS2ALFl2hsB2KV0ofuZBpLvGeAHFsfJWW_iQ",
    secret:
      "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0Nzg2OTkwOCIsIm5hbWUiOiJKZ3lrRkQiLCJpYXQiOjE3MTgwMjcyMzR9.Fv_KWDwL1K03M9kEFHJTsPEimMMnXciseXcmUwt6b1O6evPZKjVS2ALFl2hsB2KV0ofuZBpLvGeAHFsfJWW_iQ",
  },
  {
    detector: "JWT",
    text: "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MzM5MTE5MSIsIm5hbWUiOiJUbHFFTEYiLCJpYXQiOjE3MTgwODI2MjB9.CIqdJ31hSa81QZAfPWpT7W3WacD91E5SLT8NyLZs7Bu8qg_Vh4kCZshcqHn2lbfxDr55gm6hdMXKbt3hrEXvFA",
    secret:
      "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MzM5MTE5MSIsIm5hbWUiOiJUbHFFTEYiLCJpYXQiOjE3MTgwODI2MjB9.CIqdJ31hSa81QZAfPWpT7W3WacD91E5SLT8NyLZs7Bu8qg_Vh4kCZshcqHn2lbfxDr55gm6hdMXKbt3hrEXvFA",
  },
  {
    detector: "JWT",
    text: "cookie: session=eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwNzQ4NTM3NCIsIm5hbWUiOiJ5Wno0dEgiLCJpYXQiOjE3MTgwMTM5ODh9.uXArjfMNT3a8lku7QsOJFmGBwmTAt_NIuvQ-a2A5Q2kVEv5MER26ZpfaVKYIHxBXzd3lOGwqGe2ceV2SjUQ-xg",
    secret:
      "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwNzQ4NTM3NCIsIm5hbWUiOiJ5Wno0dEgiLCJpYXQiOjE3MTgwMTM5ODh9.uXArjfMNT3a8lku7QsOJFmGBwmTAt_NIuvQ-a2A5Q2kVEv5MER26ZpfaVKYIHxBXzd3lOGwqGe2ceV2SjUQ-xg",
  },
  {
    detector: "JWT",
    text: '"access_token":"eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwNzM2NTM0NyIsIm5hbWUiOiJreDVIQmgiLCJpYXQiOjE3MTgwODI1Mzl9.0PvOBOv2a4b3bNVernfRXUwyQoe94kMQAlvQkvxNjJyK4TI_sExzeNowg5AZjZ_N1si4ipawDExPTtCH5me6-Q"',
    secret:
      "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwNzM2NTM0NyIsIm5hbWUiOiJreDVIQmgiLCJpYXQiOjE3MTgwODI1Mzl9.0PvOBOv2a4b3bNVernfRXUwyQoe94kMQAlvQkvxNjJyK4TI_sExzeNowg5AZjZ_N1si4ipawDExPTtCH5me6-Q",
  },
  {
    detector: "JWT",
    text: "token eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiI3OTg5ODg4MCIsIm5hbWUiOiJjQWt3QWIiLCJpYXQiOjE3MTgwMzg0Nzl9.",
    secret:
      "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiI3OTg5ODg4MCIsIm5hbWUiOiJjQWt3QWIiLCJpYXQiOjE3MTgwMzg0Nzl9.",
  },
  {
    detector: "JWT",
    text: "id_token=eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiI1MTgzMjUxNSIsIm5hbWUiOiJKQm9yVE4iLCJpYXQiOjE3MTgwMTgxMTd9.",
    secret:
      "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiI1MTgzMjUxNSIsIm5hbWUiOiJKQm9yVE4iLCJpYXQiOjE3MTgwMTgxMTd9.",
  },
  { detector: "JWT", text: "eyJhbGciOiJIUzI1NiJ9" },
  { detector: "JWT", text: "header eyJhbGciOi.garbage.x" },
  { detector: "JWT", text: "eyJub3QiOiJqd3QifQ.eyJ4IjoxfQ.short" },
  { detector: "JWT", text: "data eyJhIjoxfQ==" },
  {
    detector: "JWT",
    text: "eyJRtwi01lM5o1I7TEjXUs8.iPvy0NOZlPydpSSu8NnQxTCuGvV5Uw.29NnmgzcunUp6hZdBtc7KeZrqGNtT9",
  },
  { detector: "JWT", text: "eyJ.eyJ.eyJ" },
  { detector: "JWT", text: "prefix.eyJhbGci.suffix" },
  { detector: "JWT", text: "eyJhbGciOiJIUzI1NiJ9.notbase64!.sig" },
  { detector: "JWT", text: "a.b.c" },
  { detector: "JWT", text: "jwt: <token>" },
  { detector: "JWT", text: "Bearer ${JWT}" },
  { detector: "JWT", text: "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiIxIn0.abc" },
  { detector: "JWT", text: "hello.world.again" },
  { detector: "JWT", text: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0" },
  { detector: "JWT", text: "version.1.2" },
  { detector: "JWT", text: "file.tar.gz" },
  { detector: "JWT", text: "eyJbWzEsMl1d.e30.abcdefghijklmnopqrstuv" },
  { detector: "JWT", text: "eyJhbGciOiJIUzI1NiJ9..abcdefghijklmnopqrstuv" },
  { detector: "JWT", text: "x.eyJ.y" },
  { detector: "JWT", text: 'the eyJ prefix means {" in base64' },
  { detector: "JWT", text: "eyJhbGciOiJub25lIn0" },
  { detector: "JWT", text: "jwt.io" },
  { detector: "JWT", text: "tokens.json.gz" },
  { detector: "JWT", text: "id.token.here" },
  { detector: "JWT", text: "eyJhbGciOiJIUzI1NiJ9.e30.x" },
  { detector: "JWT", text: "README.md.bak" },
  { detector: "JWT", text: "eyJleHAiOjF9" },
  { detector: "JWT", text: "base64 eyJmb28iOiJiYXIifQ" },
  { detector: "JWT", text: "a.eyJ9.b" },
  { detector: "JWT", text: "www.example.com" },
  // AWS_ACCESS_KEY: 32 positives, 30 look-alike negatives
  {
    detector: "AWS_ACCESS_KEY",
    text: "aws_access_key_id = ASIAQA5KJZDPNLUVSCU8",
    secret: "ASIAQA5KJZDPNLUVSCU8",
  },
  { detector: "AWS_ACCESS_KEY", text: "key AKIA1R80XSW2CV803B6M leaked", secret: "AKIA1R80XSW2CV803B6M" },
  { detector: "AWS_ACCESS_KEY", text: "AKIA0J1C43MHAV4P6EER", secret: "AKIA0J1C43MHAV4P6EER" },
  {
    detector: "AWS_ACCESS_KEY",
    text: '"AccessKeyId": "ASIA8SBID6C3ANRE2SFP"',
    secret: "ASIA8SBID6C3ANRE2SFP",
  },
  {
    detector: "AWS_ACCESS_KEY",
    text: "aws_access_key_id = AKIAUAQY32D9FF2BDIFI",
    secret: "AKIAUAQY32D9FF2BDIFI",
  },
  { detector: "AWS_ACCESS_KEY", text: "key AKIABW4LJGZQFTAWYRAS leaked", secret: "AKIABW4LJGZQFTAWYRAS" },
  { detector: "AWS_ACCESS_KEY", text: "ASIAEB3EZBBU4KN55QIH", secret: "ASIAEB3EZBBU4KN55QIH" },
  {
    detector: "AWS_ACCESS_KEY",
    text: '"AccessKeyId": "AKIAJAMQSTX9KEIM68T2"',
    secret: "AKIAJAMQSTX9KEIM68T2",
  },
  {
    detector: "AWS_ACCESS_KEY",
    text: "aws_access_key_id = AKIAW3M7T5KQZSWEULPX",
    secret: "AKIAW3M7T5KQZSWEULPX",
  },
  { detector: "AWS_ACCESS_KEY", text: "key ASIAKYR131S5RI2O0WSI leaked", secret: "ASIAKYR131S5RI2O0WSI" },
  { detector: "AWS_ACCESS_KEY", text: "AKIAUZSBPSQ7ANLW3HDX", secret: "AKIAUZSBPSQ7ANLW3HDX" },
  {
    detector: "AWS_ACCESS_KEY",
    text: '"AccessKeyId": "AKIAQJOR1197KOC71JFE"',
    secret: "AKIAQJOR1197KOC71JFE",
  },
  {
    detector: "AWS_ACCESS_KEY",
    text: "aws_access_key_id = ASIAJS3Y4SSX3STSKK2D",
    secret: "ASIAJS3Y4SSX3STSKK2D",
  },
  { detector: "AWS_ACCESS_KEY", text: "key AKIASNGFV5YDP9DPE682 leaked", secret: "AKIASNGFV5YDP9DPE682" },
  { detector: "AWS_ACCESS_KEY", text: "AKIA8LPB2U0LJL101SUL", secret: "AKIA8LPB2U0LJL101SUL" },
  {
    detector: "AWS_ACCESS_KEY",
    text: '"AccessKeyId": "ASIAA223R4KLWQK0IAYC"',
    secret: "ASIAA223R4KLWQK0IAYC",
  },
  {
    detector: "AWS_ACCESS_KEY",
    text: "aws_access_key_id = AKIA4QQXIEXDZZBJNS2G",
    secret: "AKIA4QQXIEXDZZBJNS2G",
  },
  { detector: "AWS_ACCESS_KEY", text: "key AKIA0SWHTECLL4H6DUOO leaked", secret: "AKIA0SWHTECLL4H6DUOO" },
  { detector: "AWS_ACCESS_KEY", text: "ASIAJU3OA2OFF6D9RGSY", secret: "ASIAJU3OA2OFF6D9RGSY" },
  {
    detector: "AWS_ACCESS_KEY",
    text: '"AccessKeyId": "AKIA6BJENKPMQQFYG09H"',
    secret: "AKIA6BJENKPMQQFYG09H",
  },
  {
    detector: "AWS_ACCESS_KEY",
    text: "aws_access_key_id = AKIA67DE38WCW5Q1LR45",
    secret: "AKIA67DE38WCW5Q1LR45",
  },
  { detector: "AWS_ACCESS_KEY", text: "key ASIAY14NL4Y46GG3SN48 leaked", secret: "ASIAY14NL4Y46GG3SN48" },
  { detector: "AWS_ACCESS_KEY", text: "AKIAEAYWFQIUFDCOUE4V", secret: "AKIAEAYWFQIUFDCOUE4V" },
  {
    detector: "AWS_ACCESS_KEY",
    text: '"AccessKeyId": "AKIARPLUBNIG6XFRQ0L5"',
    secret: "AKIARPLUBNIG6XFRQ0L5",
  },
  {
    detector: "AWS_ACCESS_KEY",
    text: "aws_access_key_id = ASIA2IISJULBSUQPUHHX",
    secret: "ASIA2IISJULBSUQPUHHX",
  },
  { detector: "AWS_ACCESS_KEY", text: "key AKIA5OSGEUP572ZD0HW6 leaked", secret: "AKIA5OSGEUP572ZD0HW6" },
  { detector: "AWS_ACCESS_KEY", text: "AKIAFZJ8KDBBMML7S9SI", secret: "AKIAFZJ8KDBBMML7S9SI" },
  {
    detector: "AWS_ACCESS_KEY",
    text: '"AccessKeyId": "ASIA5KGMQUXHB3UPEAOF"',
    secret: "ASIA5KGMQUXHB3UPEAOF",
  },
  {
    detector: "AWS_ACCESS_KEY",
    text: "aws_access_key_id = AKIAFQF9VUP5QZW81BG7",
    secret: "AKIAFQF9VUP5QZW81BG7",
  },
  { detector: "AWS_ACCESS_KEY", text: "key AKIA2I7167V55KF2UWMB leaked", secret: "AKIA2I7167V55KF2UWMB" },
  { detector: "AWS_ACCESS_KEY", text: "ASIA5YUDDNU5JO6CB4P3", secret: "ASIA5YUDDNU5JO6CB4P3" },
  {
    detector: "AWS_ACCESS_KEY",
    text: '"AccessKeyId": "AKIA71MZBHUMV2X303EZ"',
    secret: "AKIA71MZBHUMV2X303EZ",
  },
  { detector: "AWS_ACCESS_KEY", text: "value AKIAF80SJ7D2X10CIOV here" },
  { detector: "AWS_ACCESS_KEY", text: "value AKIApfqumeatubncwobc here" },
  { detector: "AWS_ACCESS_KEY", text: "value AKIAEXAMPLE here" },
  { detector: "AWS_ACCESS_KEY", text: "value XAKIAYOEWR8PM5LORXHNS here" },
  { detector: "AWS_ACCESS_KEY", text: "value AKIAAAAAAAAAAAAAAAAA here" },
  { detector: "AWS_ACCESS_KEY", text: "value ASIAN markets rallied here" },
  { detector: "AWS_ACCESS_KEY", text: "value AKIA1234567890 here" },
  { detector: "AWS_ACCESS_KEY", text: "value AKIAGSEPUQG29NE3U7SSF here" },
  { detector: "AWS_ACCESS_KEY", text: "value akia2YG182QU5ZKMK8KT here" },
  { detector: "AWS_ACCESS_KEY", text: "value ASIA-PACIFIC region here" },
  { detector: "AWS_ACCESS_KEY", text: "value AKIA_LIR75M5Q2J3WUA5U here" },
  { detector: "AWS_ACCESS_KEY", text: "value AKIA-PLACEHOLDER here" },
  { detector: "AWS_ACCESS_KEY", text: "value ASIA0000000000000000 here" },
  { detector: "AWS_ACCESS_KEY", text: "value AKIAXRFG6FLO4RO878M1X here" },
  { detector: "AWS_ACCESS_KEY", text: "value the AKIA prefix marks long-term keys here" },
  { detector: "AWS_ACCESS_KEY", text: "value ABIA is a region code here" },
  { detector: "AWS_ACCESS_KEY", text: "value ACCA certified here" },
  { detector: "AWS_ACCESS_KEY", text: "value A3T is a model here" },
  { detector: "AWS_ACCESS_KEY", text: "value AKIA...redacted here" },
  { detector: "AWS_ACCESS_KEY", text: "value AKIAXXXXXXXXXXXXXXXX here" },
  { detector: "AWS_ACCESS_KEY", text: "value aws_access_key_id = <your key> here" },
  { detector: "AWS_ACCESS_KEY", text: "value ASIA1234 here" },
  { detector: "AWS_ACCESS_KEY", text: "value AKIA 1234 5678 9012 3456 here" },
  { detector: "AWS_ACCESS_KEY", text: "value ASIA/Tokyo timezone here" },
  { detector: "AWS_ACCESS_KEY", text: "value AKIAIOSFODNN7 here" },
  { detector: "AWS_ACCESS_KEY", text: "value keyAKIAC2ASMGVEU585TYA9 here" },
  { detector: "AWS_ACCESS_KEY", text: "value AKIAR5B5JLKNLONT9K7K_suffix here" },
  { detector: "AWS_ACCESS_KEY", text: "value ASIAasiaASIAasiaASIA here" },
  { detector: "AWS_ACCESS_KEY", text: "value AKIAakiaAKIAakiaAKIA here" },
  { detector: "AWS_ACCESS_KEY", text: "value AKIA-I37Z2PPJNYVWRAG2 here" },
  // OPENAI_KEY: 32 positives, 30 look-alike negatives
  {
    detector: "OPENAI_KEY",
    text: "OPENAI_API_KEY=sk-proj-tvvlSXc_H1uKdF9tde_7se_wfMfpwrOJeQrArrnG61XPjqdzteW744tOiHMJyIWs4rrtwNxSsE0rMFoTN4y6KPE7FbNWJRss8sCmKagL2dvTrhTAXA",
    secret:
      "sk-proj-tvvlSXc_H1uKdF9tde_7se_wfMfpwrOJeQrArrnG61XPjqdzteW744tOiHMJyIWs4rrtwNxSsE0rMFoTN4y6KPE7FbNWJRss8sCmKagL2dvTrhTAXA",
  },
  {
    detector: "OPENAI_KEY",
    text: "using key sk-sr95I6GAto4axybkIgVTzqPzWXg28DGjjXTnczd1CyqSa7n5",
    secret: "sk-sr95I6GAto4axybkIgVTzqPzWXg28DGjjXTnczd1CyqSa7n5",
  },
  {
    detector: "OPENAI_KEY",
    text: "sk-proj-NPqMHzIZ5aDfXdjAd5idVPV5McQszMv-u2INzYDqJNqIzyJ_k60gwApc-c8uiDrQn4qi4PnwwsZinQywZyHR02r-bZvVtQO_OG8cZOnpk1DLmGD7V1r6tOoCd",
    secret:
      "sk-proj-NPqMHzIZ5aDfXdjAd5idVPV5McQszMv-u2INzYDqJNqIzyJ_k60gwApc-c8uiDrQn4qi4PnwwsZinQywZyHR02r-bZvVtQO_OG8cZOnpk1DLmGD7V1r6tOoCd",
  },
  {
    detector: "OPENAI_KEY",
    text: '"openai": "sk-halXTjiwe6jLcwWy3GKraDZgDYlTDYkDHJX1fY0LeCxPtKeI"',
    secret: "sk-halXTjiwe6jLcwWy3GKraDZgDYlTDYkDHJX1fY0LeCxPtKeI",
  },
  {
    detector: "OPENAI_KEY",
    text: "OPENAI_API_KEY=sk-proj-JPGiOWMmRSv2mJRZEytvcAWJ5X-Twmfbt7nlkm1SgwtcSME9wdJMX9di0k_ai4VAOvbieeMeGlLNpCM_qHo4k2JqqoJhyBsOiwY5G8WJk474mGAnHFu",
    secret:
      "sk-proj-JPGiOWMmRSv2mJRZEytvcAWJ5X-Twmfbt7nlkm1SgwtcSME9wdJMX9di0k_ai4VAOvbieeMeGlLNpCM_qHo4k2JqqoJhyBsOiwY5G8WJk474mGAnHFu",
  },
  {
    detector: "OPENAI_KEY",
    text: "using key sk-Uk4PUukNUauwxQcQpB9Qlx3twDbTtoPsu70z6Ttx9U0Q2cFW",
    secret: "sk-Uk4PUukNUauwxQcQpB9Qlx3twDbTtoPsu70z6Ttx9U0Q2cFW",
  },
  {
    detector: "OPENAI_KEY",
    text: "sk-proj-nm7tvx_iA5mnZjDcYUfACYZb4JEKQ4br9QFu8xlZ8sHGulNBZcZus8ISQsGlNWo0K-dqvU-R-bo35IaeWDhN_xcS85x5PML2iEOht8LJeWyzl941",
    secret:
      "sk-proj-nm7tvx_iA5mnZjDcYUfACYZb4JEKQ4br9QFu8xlZ8sHGulNBZcZus8ISQsGlNWo0K-dqvU-R-bo35IaeWDhN_xcS85x5PML2iEOht8LJeWyzl941",
  },
  {
    detector: "OPENAI_KEY",
    text: '"openai": "sk-fSygRrY7SY4ArKUwb7MdnhQv6W6ggrCxHI7zNMg7b2jnWMm6"',
    secret: "sk-fSygRrY7SY4ArKUwb7MdnhQv6W6ggrCxHI7zNMg7b2jnWMm6",
  },
  {
    detector: "OPENAI_KEY",
    text: "OPENAI_API_KEY=sk-proj-uJrkzpLqE0eLaCAQbcEBWdwbYpepPOFd0lSvs_2kHtXDyAz9m2mxf6eyADFVmBLGDrWx4rfv5KjPvtgR4m6u8RRGjSirxF9F4jPGzW",
    secret:
      "sk-proj-uJrkzpLqE0eLaCAQbcEBWdwbYpepPOFd0lSvs_2kHtXDyAz9m2mxf6eyADFVmBLGDrWx4rfv5KjPvtgR4m6u8RRGjSirxF9F4jPGzW",
  },
  {
    detector: "OPENAI_KEY",
    text: "using key sk-W0JBHAMlFtYahQruo6klacpYlsf1mX1IbLOZZ5q36BZYEiEC",
    secret: "sk-W0JBHAMlFtYahQruo6klacpYlsf1mX1IbLOZZ5q36BZYEiEC",
  },
  {
    detector: "OPENAI_KEY",
    text: "sk-proj--lBCTOPchGoGyUCw4oE6zTNiA7Di5KXcROuvqBhozLD8fdgnSD4hcd-c8Ok_fyuRNxdZDe9us2KF4jYHtBm0CtdwGhcR19kr4RRJDz5LoR1DMkcf2lZEAoLbgHRQjjFNIz8Uk_g_AUjKqHG6SWeT-",
    secret:
      "sk-proj--lBCTOPchGoGyUCw4oE6zTNiA7Di5KXcROuvqBhozLD8fdgnSD4hcd-c8Ok_fyuRNxdZDe9us2KF4jYHtBm0CtdwGhcR19kr4RRJDz5LoR1DMkcf2lZEAoLbgHRQjjFNIz8Uk_g_AUjKqHG6SWeT-",
  },
  {
    detector: "OPENAI_KEY",
    text: '"openai": "sk-y6mSbEYD7zjl4QQbBw8weqoyy3ECRVh7nA65beAPVH0pJhBc"',
    secret: "sk-y6mSbEYD7zjl4QQbBw8weqoyy3ECRVh7nA65beAPVH0pJhBc",
  },
  {
    detector: "OPENAI_KEY",
    text: "OPENAI_API_KEY=sk-proj-iIkYSxNabQYB0W66pGJF0Y-ikkkHz__uVplp5leh4AhUIdsQw80Xd2xTwS3RtObbZGPHxsQ9sX-yzV3kKMSWIOuhUPfVmr5F2t_Y2aXeh7xzO__FKAl",
    secret:
      "sk-proj-iIkYSxNabQYB0W66pGJF0Y-ikkkHz__uVplp5leh4AhUIdsQw80Xd2xTwS3RtObbZGPHxsQ9sX-yzV3kKMSWIOuhUPfVmr5F2t_Y2aXeh7xzO__FKAl",
  },
  {
    detector: "OPENAI_KEY",
    text: "using key sk-gBEYIxFbh9QKjqSJKW5JBl1dzZvMrUWjX8weiNapwCa77LRa",
    secret: "sk-gBEYIxFbh9QKjqSJKW5JBl1dzZvMrUWjX8weiNapwCa77LRa",
  },
  {
    detector: "OPENAI_KEY",
    text: "sk-proj-kYMYjLiWCu0Ll9MKGYM4SXj3PWDVF5vxuPquQAYX3LyY7IxfyGpNzEbwGkMCsRDHGCYRu3-3U4fqOCH0PVH1lmUbnb3shJzEcEcYH9iyvk3qBT5iUkaFPaUp6q0X4x",
    secret:
      "sk-proj-kYMYjLiWCu0Ll9MKGYM4SXj3PWDVF5vxuPquQAYX3LyY7IxfyGpNzEbwGkMCsRDHGCYRu3-3U4fqOCH0PVH1lmUbnb3shJzEcEcYH9iyvk3qBT5iUkaFPaUp6q0X4x",
  },
  {
    detector: "OPENAI_KEY",
    text: '"openai": "sk-0BsJglR3vk7rtaRvzMrEzXZfrdzKBfPtU9kuUvekpWXbOxMJ"',
    secret: "sk-0BsJglR3vk7rtaRvzMrEzXZfrdzKBfPtU9kuUvekpWXbOxMJ",
  },
  {
    detector: "OPENAI_KEY",
    text: "OPENAI_API_KEY=sk-proj-2iIX3KtUDODTfMTqqExzFrWXG_2B6Cx3z35IYyoG_l3bw60ZO9ml881v9BuBSA5S1v5IvwpH6d8OZa2idDclGC8q8VRNGmUABSIxE",
    secret:
      "sk-proj-2iIX3KtUDODTfMTqqExzFrWXG_2B6Cx3z35IYyoG_l3bw60ZO9ml881v9BuBSA5S1v5IvwpH6d8OZa2idDclGC8q8VRNGmUABSIxE",
  },
  {
    detector: "OPENAI_KEY",
    text: "using key sk-n6NSdUCVU7PHngTV4cPJdraJoVTAHz3SdfvrhZkakcM47N40",
    secret: "sk-n6NSdUCVU7PHngTV4cPJdraJoVTAHz3SdfvrhZkakcM47N40",
  },
  {
    detector: "OPENAI_KEY",
    text: "sk-proj-47Bq5blEHh5xBAekcJX2z7VczRMk-TfYxpR3EY8iUdn5LrcycWykYIkETlf0TEM1LHvdHrbujfeDqKnp4GpxOQA7nqCYuX2CNetYxfqRJ9ZNUn7wutHjXzuCWf4lY",
    secret:
      "sk-proj-47Bq5blEHh5xBAekcJX2z7VczRMk-TfYxpR3EY8iUdn5LrcycWykYIkETlf0TEM1LHvdHrbujfeDqKnp4GpxOQA7nqCYuX2CNetYxfqRJ9ZNUn7wutHjXzuCWf4lY",
  },
  {
    detector: "OPENAI_KEY",
    text: '"openai": "sk-OSnEMtiAdeSUJuzN3S4gXQzaBSVMEgB3jJCn590mhZrn1SHV"',
    secret: "sk-OSnEMtiAdeSUJuzN3S4gXQzaBSVMEgB3jJCn590mhZrn1SHV",
  },
  {
    detector: "OPENAI_KEY",
    text: "OPENAI_API_KEY=sk-proj-RCbciqnxeh_6RCtU8-CwV8Gc8Oe73REQZ3abVOxRNCPAJ3GswrRXOlk-VxT9BXmtvSIg2k172G-DJcbCZUBtRKjBMFOa4nKaAH9NXb8wVe7cXkz2AhSATAao",
    secret:
      "sk-proj-RCbciqnxeh_6RCtU8-CwV8Gc8Oe73REQZ3abVOxRNCPAJ3GswrRXOlk-VxT9BXmtvSIg2k172G-DJcbCZUBtRKjBMFOa4nKaAH9NXb8wVe7cXkz2AhSATAao",
  },
  {
    detector: "OPENAI_KEY",
    text: "using key sk-lkyQJLRskEGlo8BdVb78HO2p0In6gi1ksu9CYNHC5KAtWVvC",
    secret: "sk-lkyQJLRskEGlo8BdVb78HO2p0In6gi1ksu9CYNHC5KAtWVvC",
  },
  {
    detector: "OPENAI_KEY",
    text: "sk-proj-8UfyjI6U_AhneTotxfTUHly1ZkZjbnOagFPM2Zj4c4Lupb27BsqejkP8jRTO68ElKQtr40jNrP8lVv4v-Dw8OPvQbn2837gy2mOHIwaSAWKdZrH",
    secret:
      "sk-proj-8UfyjI6U_AhneTotxfTUHly1ZkZjbnOagFPM2Zj4c4Lupb27BsqejkP8jRTO68ElKQtr40jNrP8lVv4v-Dw8OPvQbn2837gy2mOHIwaSAWKdZrH",
  },
  {
    detector: "OPENAI_KEY",
    text: '"openai": "sk-xNQupzms9GT6xDthZ4ucMwjVZEp65yoPDaGB9VfZ3LOdnWpL"',
    secret: "sk-xNQupzms9GT6xDthZ4ucMwjVZEp65yoPDaGB9VfZ3LOdnWpL",
  },
  {
    detector: "OPENAI_KEY",
    text: "OPENAI_API_KEY=sk-proj-_FZIvfcfk0XypV8zvGBQ-KqRO_jqGpm4hMGck7Sp4wP9oVbOi2gkDni0EAkrdM7wHRh977uyu69x74J3V2VhNnZvgvGqaF0UevKkGKShYK",
    secret:
      "sk-proj-_FZIvfcfk0XypV8zvGBQ-KqRO_jqGpm4hMGck7Sp4wP9oVbOi2gkDni0EAkrdM7wHRh977uyu69x74J3V2VhNnZvgvGqaF0UevKkGKShYK",
  },
  {
    detector: "OPENAI_KEY",
    text: "using key sk-gXO0T8hlyWs9zXd7KlIOAYmbJVvNsidzeQzsNzrcEVHkLYjJ",
    secret: "sk-gXO0T8hlyWs9zXd7KlIOAYmbJVvNsidzeQzsNzrcEVHkLYjJ",
  },
  {
    detector: "OPENAI_KEY",
    text: "sk-proj-GhRWf0oGJ4QsfQ3uJk9v6dOJDeK-Ns6vID4a5dwscEM49raWwIxHoyG-LB2bzOSAy5LgsDWlW2vMBXXMEnmcFvJdQ1Q-hwMHhEvgE",
    secret:
      "sk-proj-GhRWf0oGJ4QsfQ3uJk9v6dOJDeK-Ns6vID4a5dwscEM49raWwIxHoyG-LB2bzOSAy5LgsDWlW2vMBXXMEnmcFvJdQ1Q-hwMHhEvgE",
  },
  {
    detector: "OPENAI_KEY",
    text: '"openai": "sk-sCbIUigriDfuxOGQ2fpKloJMSuOS8FoozQNs5O8IQbgFCz1g"',
    secret: "sk-sCbIUigriDfuxOGQ2fpKloJMSuOS8FoozQNs5O8IQbgFCz1g",
  },
  {
    detector: "OPENAI_KEY",
    text: "OPENAI_API_KEY=sk-proj-YGx3JBed6fM60V8f_HLUZPelWdD2GzFxob9_Q9tJeKQgsY5eNtvg-WP4VzuEzFvez4piRNZkonkz9nRk1NoV3Q83EqWq9Xuhnvu5cOx9-",
    secret:
      "sk-proj-YGx3JBed6fM60V8f_HLUZPelWdD2GzFxob9_Q9tJeKQgsY5eNtvg-WP4VzuEzFvez4piRNZkonkz9nRk1NoV3Q83EqWq9Xuhnvu5cOx9-",
  },
  {
    detector: "OPENAI_KEY",
    text: "using key sk-GI5HWgUfVrhxVY0aPVBySvdqaz97quieE90RZ4SIqHO1TKse",
    secret: "sk-GI5HWgUfVrhxVY0aPVBySvdqaz97quieE90RZ4SIqHO1TKse",
  },
  {
    detector: "OPENAI_KEY",
    text: "sk-proj-SIBIXzOvvgnUYz6t3XLCvsrG5IwG-BfXfjuo-Hmwt_P6FaHWkNarWIXPtcVmv8Vffh3AZ_s4cg-YJYX70OPBVq4nSVht9jX9nTf1odiU4obr7c41MD5Ex71IdtnsduxaScm",
    secret:
      "sk-proj-SIBIXzOvvgnUYz6t3XLCvsrG5IwG-BfXfjuo-Hmwt_P6FaHWkNarWIXPtcVmv8Vffh3AZ_s4cg-YJYX70OPBVq4nSVht9jX9nTf1odiU4obr7c41MD5Ex71IdtnsduxaScm",
  },
  {
    detector: "OPENAI_KEY",
    text: '"openai": "sk-063QAzWpH23TVnrmIMDR3rKkQfdlBHy563QJMEdJbBKzPKzQ"',
    secret: "sk-063QAzWpH23TVnrmIMDR3rKkQfdlBHy563QJMEdJbBKzPKzQ",
  },
  { detector: "OPENAI_KEY", text: "value sk-learn here" },
  { detector: "OPENAI_KEY", text: "value sk-12345 here" },
  { detector: "OPENAI_KEY", text: "value sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx here" },
  { detector: "OPENAI_KEY", text: "value task-manager-service here" },
  { detector: "OPENAI_KEY", text: "value desk-lamp-2024 here" },
  { detector: "OPENAI_KEY", text: "value sk-proj- here" },
  { detector: "OPENAI_KEY", text: "value sk-your-key-here here" },
  { detector: "OPENAI_KEY", text: "value risk-assessment-matrix-v2 here" },
  { detector: "OPENAI_KEY", text: "value sk-oS1WLi8ezw0G23eFrOwH here" },
  { detector: "OPENAI_KEY", text: "value sk-... here" },
  { detector: "OPENAI_KEY", text: "value OPENAI_API_KEY=sk-REPLACE_ME here" },
  { detector: "OPENAI_KEY", text: "value sk-None here" },
  { detector: "OPENAI_KEY", text: "value ask-GwTnc26jnLcyeyy9ZaA8y9yJ5beMNAMz6Vp6LmHe here" },
  { detector: "OPENAI_KEY", text: "value sk-abababababababababababababababababababababababab here" },
  { detector: "OPENAI_KEY", text: "value sk_ykzBhusTvq5Bk3aOjRcFdBKFnf4jq0qDWLevhQIxLzXrz3B9 here" },
  { detector: "OPENAI_KEY", text: "value disk-cn5SejFxkuRBNvZChM1Qetjrhxn3VRky26O6B5KQ here" },
  {
    detector: "OPENAI_KEY",
    text: "value sk-proj-0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000 here",
  },
  { detector: "OPENAI_KEY", text: "value sk----------------------------------------- here" },
  { detector: "OPENAI_KEY", text: "value SK-OJlsMFgm0yvvcHrT7mH0RrGkJfWADYzu6nKIiOhtTwIxclPX here" },
  { detector: "OPENAI_KEY", text: "value sk-proj-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx here" },
  { detector: "OPENAI_KEY", text: "value kiosk-terminal-7 here" },
  { detector: "OPENAI_KEY", text: "value sk-1 here" },
  { detector: "OPENAI_KEY", text: "value sk-whAGY9yQI7MTTV6Vm7HAI4k1aSS7x8V here" },
  { detector: "OPENAI_KEY", text: "value whisk-AvbNe8dIhUpUbkRtlFNXCFfF2Z2pJJpXZ2h here" },
  { detector: "OPENAI_KEY", text: "value sk-ant here" },
  { detector: "OPENAI_KEY", text: "value sk-abc-def-ghi here" },
  { detector: "OPENAI_KEY", text: "value mask-uZrIMFYCwVW3WhvErrquTVEGHrH85ogsvmFXQSyU here" },
  { detector: "OPENAI_KEY", text: "value sk-1234567890123456789012345678901234567890 here" },
  { detector: "OPENAI_KEY", text: "value sk-Da9neuuFYo SNezsTinDuWpCbW9f2EWzPLIi0o6e4 here" },
  { detector: "OPENAI_KEY", text: "value brisk-walk here" },
  // ANTHROPIC_KEY: 32 positives, 30 look-alike negatives
  {
    detector: "ANTHROPIC_KEY",
    text: "ANTHROPIC_API_KEY=sk-ant-admin01-sD35hguQ2_xUQ2Fzp3htlVsycGvDIaRQ2LnRv4kIiulvC2h4pJHggx_TaysVEBAouXEGbMichLoFPBQpGZc6bYddBenmmAA",
    secret:
      "sk-ant-admin01-sD35hguQ2_xUQ2Fzp3htlVsycGvDIaRQ2LnRv4kIiulvC2h4pJHggx_TaysVEBAouXEGbMichLoFPBQpGZc6bYddBenmmAA",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: "x-api-key: sk-ant-api03-lpm0MmEM9fUFeQqtytFSWzhCc76TL9OMMzAYQ1PldMv8UYWsj7t_v4NT-lmVVbr7X8ZXnO3iMinQxeHUrYHp7IV2SLAKJAA",
    secret:
      "sk-ant-api03-lpm0MmEM9fUFeQqtytFSWzhCc76TL9OMMzAYQ1PldMv8UYWsj7t_v4NT-lmVVbr7X8ZXnO3iMinQxeHUrYHp7IV2SLAKJAA",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: "sk-ant-api03-tDrRFuSF38P_C-DPpVsdb_UY4ebt9u6N-wS768gnjzwfJP5Bf2iOiYdB9WYXTIZCv9WDAi9ltfSWa8BnspcWEULBV7rEoAA",
    secret:
      "sk-ant-api03-tDrRFuSF38P_C-DPpVsdb_UY4ebt9u6N-wS768gnjzwfJP5Bf2iOiYdB9WYXTIZCv9WDAi9ltfSWa8BnspcWEULBV7rEoAA",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: '"key":"sk-ant-admin01-RTXq8-W0VaGA-TRR44avvpt_BfXrgtRIbHjcq0oZeu3q1Ck2uYBHu6IzIZe27AV5H0bqQFG4Byj_Q4KqTwprcKFJXNRR4AA"',
    secret:
      "sk-ant-admin01-RTXq8-W0VaGA-TRR44avvpt_BfXrgtRIbHjcq0oZeu3q1Ck2uYBHu6IzIZe27AV5H0bqQFG4Byj_Q4KqTwprcKFJXNRR4AA",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: "ANTHROPIC_API_KEY=sk-ant-api03-84okeEfuZm1FAT1zpQWyjmOfANEemFG-pnS428mrj5RFTrn5bBFo-g0fYrpZvuV4QfUytIu0Lkalmo160WjrM8h5anX6QAA",
    secret:
      "sk-ant-api03-84okeEfuZm1FAT1zpQWyjmOfANEemFG-pnS428mrj5RFTrn5bBFo-g0fYrpZvuV4QfUytIu0Lkalmo160WjrM8h5anX6QAA",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: "x-api-key: sk-ant-api03-f-by3KLb2LsFHuAwNT7xEj5dGPHZPuLm2EALbeD7mm2HUoiqevUdwo242lwgyyEkv7o_uxuDGlrGMWwgj_PLhM9N_TWDuAA",
    secret:
      "sk-ant-api03-f-by3KLb2LsFHuAwNT7xEj5dGPHZPuLm2EALbeD7mm2HUoiqevUdwo242lwgyyEkv7o_uxuDGlrGMWwgj_PLhM9N_TWDuAA",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: "sk-ant-admin01-jteT0ek_fIj-irIaWdF22rJIGcqzcDOz_G8NTePpB6MQ9Vu-ry2mgczBWxFjDYfJYo7mEHltkVc4yiE5qo7_jv5A3NARGAA",
    secret:
      "sk-ant-admin01-jteT0ek_fIj-irIaWdF22rJIGcqzcDOz_G8NTePpB6MQ9Vu-ry2mgczBWxFjDYfJYo7mEHltkVc4yiE5qo7_jv5A3NARGAA",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: '"key":"sk-ant-api03-Ev_h3aeEtAX9RJcBtygdWZENxzCT6LXyPfb71ccEfNpbAv6WBZApG0aedg2JrDrluU0KBHSuxXY94MHTg90C7RV2CrEQmAA"',
    secret:
      "sk-ant-api03-Ev_h3aeEtAX9RJcBtygdWZENxzCT6LXyPfb71ccEfNpbAv6WBZApG0aedg2JrDrluU0KBHSuxXY94MHTg90C7RV2CrEQmAA",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: "ANTHROPIC_API_KEY=sk-ant-api03-D2ZyFNHxdu-_3CvswTPQpzbNXe3eAFxUGb27fBQHMVIL4sZps6z8yqMtSz87aO2sUs0Zw1pwvpqVCndH0SVXhIbDpsti8AA",
    secret:
      "sk-ant-api03-D2ZyFNHxdu-_3CvswTPQpzbNXe3eAFxUGb27fBQHMVIL4sZps6z8yqMtSz87aO2sUs0Zw1pwvpqVCndH0SVXhIbDpsti8AA",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: "x-api-key: sk-ant-admin01-oX_3GE8D7vEIsVGieuc0Qjhq5XKj3WgsIiUAgzsF1rsnBHxStsymQm9VvzO5P7r94vsXxLfiJUi4MdttUTAdBkittUR8AAA",
    secret:
      "sk-ant-admin01-oX_3GE8D7vEIsVGieuc0Qjhq5XKj3WgsIiUAgzsF1rsnBHxStsymQm9VvzO5P7r94vsXxLfiJUi4MdttUTAdBkittUR8AAA",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: "sk-ant-api03-S8ZVDrIy1C6xdNevdWrwbm14szvP60Aq3WxF2LjJ9w_PUxPD3tpPQd6j7s2wkmzOO9Y8kaSSxXwmswbIkkPVQSHo8cDpkAA",
    secret:
      "sk-ant-api03-S8ZVDrIy1C6xdNevdWrwbm14szvP60Aq3WxF2LjJ9w_PUxPD3tpPQd6j7s2wkmzOO9Y8kaSSxXwmswbIkkPVQSHo8cDpkAA",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: '"key":"sk-ant-api03-L2tbpUKa5d1tWnpoPSFsDnJ6poX1OdMPI_ODZgQ72Org0iHafLaqiLV-EOL_Yb4ZqIVY8oGdNQXg8X3-UimSihJTs6IE6AA"',
    secret:
      "sk-ant-api03-L2tbpUKa5d1tWnpoPSFsDnJ6poX1OdMPI_ODZgQ72Org0iHafLaqiLV-EOL_Yb4ZqIVY8oGdNQXg8X3-UimSihJTs6IE6AA",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: "ANTHROPIC_API_KEY=sk-ant-admin01-clV1al5Ot6kQaNGePusRMr0IXyFsMnHIkuYock1H_gt_XAGJJKrSzxFGvVi4LoGAtsnY0NW_jZ8Zh4HlCFGsqdWwrzGLBAA",
    secret:
      "sk-ant-admin01-clV1al5Ot6kQaNGePusRMr0IXyFsMnHIkuYock1H_gt_XAGJJKrSzxFGvVi4LoGAtsnY0NW_jZ8Zh4HlCFGsqdWwrzGLBAA",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: "x-api-key: sk-ant-api03-4BK8F1QOt-7OnZ08FQfLCNP478aCd5nFi6R0kgLC6jFyvjapmlr50WennhP2TAAgczGfGgMn-usnmyO2GIHt7yp3yzVvzAA",
    secret:
      "sk-ant-api03-4BK8F1QOt-7OnZ08FQfLCNP478aCd5nFi6R0kgLC6jFyvjapmlr50WennhP2TAAgczGfGgMn-usnmyO2GIHt7yp3yzVvzAA",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: "sk-ant-api03-J0bYCtGFrmDW4v4bS6hGNLanhzBq8offHMvkscyJnImqMtttQiO5odJW32kD1HLcT30OvRO9LJVyAoUubvYuHxm7RYso7AA",
    secret:
      "sk-ant-api03-J0bYCtGFrmDW4v4bS6hGNLanhzBq8offHMvkscyJnImqMtttQiO5odJW32kD1HLcT30OvRO9LJVyAoUubvYuHxm7RYso7AA",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: '"key":"sk-ant-admin01-FodS0p60oWBxEP89EVMaTZnE0c8oEVVOz6jU9VIAOEqILqouXfXzWFoiAkt2nNDZ2ijZlgj_cVpcvX62Zb35atTw0DmLYAA"',
    secret:
      "sk-ant-admin01-FodS0p60oWBxEP89EVMaTZnE0c8oEVVOz6jU9VIAOEqILqouXfXzWFoiAkt2nNDZ2ijZlgj_cVpcvX62Zb35atTw0DmLYAA",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: "ANTHROPIC_API_KEY=sk-ant-api03-StywKI-WwmlUpKPCOBqCJbA9gFoO9ys0labdBpnlh-spNCcc2QgPD2Pde9R3myM0c6mXQWazDlKgub05jzkaICMJ5QsZ_AA",
    secret:
      "sk-ant-api03-StywKI-WwmlUpKPCOBqCJbA9gFoO9ys0labdBpnlh-spNCcc2QgPD2Pde9R3myM0c6mXQWazDlKgub05jzkaICMJ5QsZ_AA",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: "x-api-key: sk-ant-api03-ZYuFjwCfC6lm08VAXnATXa2xnsBFwDQuu92k6GWlZ1t9YNkzAK89xSa2NmxKo0JzMCoI6kKQwgqGZMzYgnF3k3-eoaJSPAA",
    secret:
      "sk-ant-api03-ZYuFjwCfC6lm08VAXnATXa2xnsBFwDQuu92k6GWlZ1t9YNkzAK89xSa2NmxKo0JzMCoI6kKQwgqGZMzYgnF3k3-eoaJSPAA",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: "sk-ant-admin01-12ksq1TJG_1HqZnezMVD4DSp7y3HCKCSgVRj3caVSxmIV5I8kVDFpYL579SK08o_0MHabnhPv1O59EzmP-qzO9alLEUswAA",
    secret:
      "sk-ant-admin01-12ksq1TJG_1HqZnezMVD4DSp7y3HCKCSgVRj3caVSxmIV5I8kVDFpYL579SK08o_0MHabnhPv1O59EzmP-qzO9alLEUswAA",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: '"key":"sk-ant-api03-Ml75s8xSpw783hP1OwW-G65MmfxXNQFV_yHCwk-J_L_I7N1hj9ZG5nmfyl9RdLsvLSehleZktKvDNwM-O4UypqAY2iIPjAA"',
    secret:
      "sk-ant-api03-Ml75s8xSpw783hP1OwW-G65MmfxXNQFV_yHCwk-J_L_I7N1hj9ZG5nmfyl9RdLsvLSehleZktKvDNwM-O4UypqAY2iIPjAA",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: "ANTHROPIC_API_KEY=sk-ant-api03-sdlcx4DwkbnL1oYOEtuWFn-Mego_B70ZTz5VJsKkdLx4Mj-ojNicwXEKqpOvvccn3Pce2aS0tMHV0-5xSRc5Cj9csz-TCAA",
    secret:
      "sk-ant-api03-sdlcx4DwkbnL1oYOEtuWFn-Mego_B70ZTz5VJsKkdLx4Mj-ojNicwXEKqpOvvccn3Pce2aS0tMHV0-5xSRc5Cj9csz-TCAA",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: "x-api-key: sk-ant-admin01-3azbeYh7B2XVEHxz8S2x_aWPr7zMmDza8ld3y9CyR2Nuh-FdkG-cU0YHMsCvpcUZ9RbJTcH3VCLwlnMy7xoWrGoP9d6S8AA",
    secret:
      "sk-ant-admin01-3azbeYh7B2XVEHxz8S2x_aWPr7zMmDza8ld3y9CyR2Nuh-FdkG-cU0YHMsCvpcUZ9RbJTcH3VCLwlnMy7xoWrGoP9d6S8AA",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: "sk-ant-api03-Sjn-7foL1RuMoStjCGUIXv143YpbOfCM0gKFRAW-dRP6RTbz6egcyibye-QuoHEObxWExtG_PvMihJitof5EPc-lClYL_AA",
    secret:
      "sk-ant-api03-Sjn-7foL1RuMoStjCGUIXv143YpbOfCM0gKFRAW-dRP6RTbz6egcyibye-QuoHEObxWExtG_PvMihJitof5EPc-lClYL_AA",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: '"key":"sk-ant-api03-t83DE6uZFHJcNoaDmgXBb0thEJM5kHihHHaFtPZdW6cJKgGBQdf7zsRQxARYULEOA48k2vElJ7JazO_rZuIaicAt8Q_zCAA"',
    secret:
      "sk-ant-api03-t83DE6uZFHJcNoaDmgXBb0thEJM5kHihHHaFtPZdW6cJKgGBQdf7zsRQxARYULEOA48k2vElJ7JazO_rZuIaicAt8Q_zCAA",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: "ANTHROPIC_API_KEY=sk-ant-admin01-edNk2BA3CcFZ-M59h40bOCNSx_ZWaqE0cCRhmRGvgd7IOzzOh1Ik-9np51nzbuoSUxQ9TTZAuAgNbqctQjr8-I6AR3EKpAA",
    secret:
      "sk-ant-admin01-edNk2BA3CcFZ-M59h40bOCNSx_ZWaqE0cCRhmRGvgd7IOzzOh1Ik-9np51nzbuoSUxQ9TTZAuAgNbqctQjr8-I6AR3EKpAA",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: "x-api-key: sk-ant-api03-N_UoUGugWjZ71ckCwPZI8rJ8Kg5kdKzdQQZbQNGDubYGVkq7FPsrAamoV0Ek0Eq7UHQG-BBNKbUgJxkaq1AK2ZDuJcS-wAA",
    secret:
      "sk-ant-api03-N_UoUGugWjZ71ckCwPZI8rJ8Kg5kdKzdQQZbQNGDubYGVkq7FPsrAamoV0Ek0Eq7UHQG-BBNKbUgJxkaq1AK2ZDuJcS-wAA",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: "sk-ant-api03-dIAk58CjwaSJNMne18VuhdHUuDAqpHanSWHscCP8PV__sdtwyvXus8lfxdtwGTyHaMpQBc5YXlEdbhcgsNb_VZEmGd3YUAA",
    secret:
      "sk-ant-api03-dIAk58CjwaSJNMne18VuhdHUuDAqpHanSWHscCP8PV__sdtwyvXus8lfxdtwGTyHaMpQBc5YXlEdbhcgsNb_VZEmGd3YUAA",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: '"key":"sk-ant-admin01-hSY5YGszrmujTiNGnF_91u2ZjtcAcRnzKg7tNe0rIdcYAr9VeUuRBzEbPKl8vifa-zLd0sy5R6D605fx8O_AN5rnlc1kfAA"',
    secret:
      "sk-ant-admin01-hSY5YGszrmujTiNGnF_91u2ZjtcAcRnzKg7tNe0rIdcYAr9VeUuRBzEbPKl8vifa-zLd0sy5R6D605fx8O_AN5rnlc1kfAA",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: "ANTHROPIC_API_KEY=sk-ant-api03-3NiV52z1kDTU4z4cuz9EjZMuN4RFmu0Tob6-MuR3A6vwP_e9COo2_tAUqUxziCj6X0FXowP6JVQSxDV2ROKaFYWr1Lcc8AA",
    secret:
      "sk-ant-api03-3NiV52z1kDTU4z4cuz9EjZMuN4RFmu0Tob6-MuR3A6vwP_e9COo2_tAUqUxziCj6X0FXowP6JVQSxDV2ROKaFYWr1Lcc8AA",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: "x-api-key: sk-ant-api03-4dme37UJm5MyZRw-MjJ-USKyLaoKfj-KXoAAui4vqBgmvnvQVVbj24nYLh5b9Rei3n0nsXppKKjn4Ra9d414UUbhYTD2lAA",
    secret:
      "sk-ant-api03-4dme37UJm5MyZRw-MjJ-USKyLaoKfj-KXoAAui4vqBgmvnvQVVbj24nYLh5b9Rei3n0nsXppKKjn4Ra9d414UUbhYTD2lAA",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: "sk-ant-admin01-sgExokF7m9Oy8ayaBizsv_C1A9Q1J0poNnFu75-fc8HfMU0JZQhT2du-dD4LzZHHTv9jRlqXPrQ-PL0eQPlty_-6_wYmhAA",
    secret:
      "sk-ant-admin01-sgExokF7m9Oy8ayaBizsv_C1A9Q1J0poNnFu75-fc8HfMU0JZQhT2du-dD4LzZHHTv9jRlqXPrQ-PL0eQPlty_-6_wYmhAA",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: '"key":"sk-ant-api03-Tb6A6VH3k9I_26yvrRF62laSw7qOSCpgzZzQWN0RPs9_2SoufxMI-ycXGNOFrjVqHRKlkDG7biKknIxYvq6iiN9mRNTbdAA"',
    secret:
      "sk-ant-api03-Tb6A6VH3k9I_26yvrRF62laSw7qOSCpgzZzQWN0RPs9_2SoufxMI-ycXGNOFrjVqHRKlkDG7biKknIxYvq6iiN9mRNTbdAA",
  },
  { detector: "ANTHROPIC_KEY", text: "value sk-ant- here" },
  { detector: "ANTHROPIC_KEY", text: "value sk-ant-api03- here" },
  {
    detector: "ANTHROPIC_KEY",
    text: "value sk-ant-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx here",
  },
  { detector: "ANTHROPIC_KEY", text: "value sk-ant-api03-YOUR_KEY_HERE here" },
  { detector: "ANTHROPIC_KEY", text: "value sk-ant-E3Nk4lz9Mb0miRiOzY0U here" },
  { detector: "ANTHROPIC_KEY", text: "value sk-ant-... here" },
  { detector: "ANTHROPIC_KEY", text: "value sk-antelope-aaaaaaaaaa here" },
  { detector: "ANTHROPIC_KEY", text: "value task-ant-qnWS9N7aEggMbiGE4iFJFIiMd8CAAi1l3WnuEhqZ here" },
  {
    detector: "ANTHROPIC_KEY",
    text: "value sk-ant-api03-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA here",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: "value sk_ant_AdaTs1kdzfL33eqZw2lDalXAEuTxEqyoaKw08l5LbGj1GBfNqw4mgSKuD7bj here",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: "value SK-ANT-sQrnF6jfD3wiSbv6OTKRepQxUumEUwGRJzIyWe1SKbQukV8pRCnMNAOBSKlK here",
  },
  { detector: "ANTHROPIC_KEY", text: "value sk-ant-api03-<redacted> here" },
  {
    detector: "ANTHROPIC_KEY",
    text: "value sk-ant-api03-00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000 here",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: "value ask-ant-kDJzIWgFfxmgXheEk8dNeuxeCPJ9XgT5KcZm1BFas26NJm3OopnS596O4lwZ here",
  },
  { detector: "ANTHROPIC_KEY", text: "value sk-ant-api03-VPKbaWGF8i here" },
  {
    detector: "ANTHROPIC_KEY",
    text: "value sk-ant-abababababababababababababababababababababababababababababababababababababababab here",
  },
  { detector: "ANTHROPIC_KEY", text: "value sk-ant----------------------------------------- here" },
  { detector: "ANTHROPIC_KEY", text: "value the sk-ant- prefix here" },
  { detector: "ANTHROPIC_KEY", text: "value sk-ant-api03-${KEY} here" },
  { detector: "ANTHROPIC_KEY", text: "value sk-ant-api03-xxxxxxxxxxxxxxxxxxxx here" },
  { detector: "ANTHROPIC_KEY", text: "value sk-ant-iQGe07AnylOFZZTct2kA4lHf60Hrbhg here" },
  { detector: "ANTHROPIC_KEY", text: "value sk-ant api03 YZ2YCfIbQvXu8un9pecf5XRVI59zmlCm9pZbIXmA here" },
  {
    detector: "ANTHROPIC_KEY",
    text: "value mask-ant-KQSnBluywOKun07tTF8kBqIOnCrCSSVf0nbzdxErgUMGsI8V97 here",
  },
  { detector: "ANTHROPIC_KEY", text: "value sk-ant-fFXTpphcuZpY nBJvQe23eWiuxuFaFtsOxxttD0G5dw here" },
  { detector: "ANTHROPIC_KEY", text: "value sk-ant-admin01- here" },
  {
    detector: "ANTHROPIC_KEY",
    text: "value risk-ant-Xvgj5m2Bw6x3eqSBM9yRwKQAXJApfINEdfaAXYzoeAD3EJRgJc here",
  },
  {
    detector: "ANTHROPIC_KEY",
    text: "value sk-ant-api03-123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890 here",
  },
  { detector: "ANTHROPIC_KEY", text: "value sk-ant-ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ here" },
  { detector: "ANTHROPIC_KEY", text: "value sk-anthropic-key here" },
  { detector: "ANTHROPIC_KEY", text: "value sk-ant-api03-REPLACE here" },
  // GITHUB_TOKEN: 32 positives, 30 look-alike negatives
  {
    detector: "GITHUB_TOKEN",
    text: "GITHUB_TOKEN=ghp_Vlzw9V59ndnztElCFPJycD9wdxyoOlo3GTog",
    secret: "ghp_Vlzw9V59ndnztElCFPJycD9wdxyoOlo3GTog",
  },
  {
    detector: "GITHUB_TOKEN",
    text: "token gho_ih9SzqAMNWCPdOsVowLhiHqBuzbwu5Cwm8Wj",
    secret: "gho_ih9SzqAMNWCPdOsVowLhiHqBuzbwu5Cwm8Wj",
  },
  {
    detector: "GITHUB_TOKEN",
    text: "ghu_E9BB2GbA7aagnaHuapNLBbXBIcuz2kW44LGi",
    secret: "ghu_E9BB2GbA7aagnaHuapNLBbXBIcuz2kW44LGi",
  },
  {
    detector: "GITHUB_TOKEN",
    text: '"token": "ghs_o2tBxZpCxTtI9kV4SBkvhs7FfS8HUK25IONa"',
    secret: "ghs_o2tBxZpCxTtI9kV4SBkvhs7FfS8HUK25IONa",
  },
  {
    detector: "GITHUB_TOKEN",
    text: "GITHUB_TOKEN=ghr_CdFk9fK6WDa8dYCXaIlysgCL4V44FJ12AL9F",
    secret: "ghr_CdFk9fK6WDa8dYCXaIlysgCL4V44FJ12AL9F",
  },
  {
    detector: "GITHUB_TOKEN",
    text: "token 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",
    secret: "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",
  },
  {
    detector: "GITHUB_TOKEN",
    text: "ghp_GtE7let5HyucRRKmi2X2IMwgI2hOuuKWCcMZ",
    secret: "ghp_GtE7let5HyucRRKmi2X2IMwgI2hOuuKWCcMZ",
  },
  {
    detector: "GITHUB_TOKEN",
    text: '"token": "gho_J5hp8MNAIThTWEb0bmApXtASyXheVCy79x4a"',
    secret: "gho_J5hp8MNAIThTWEb0bmApXtASyXheVCy79x4a",
  },
  {
    detector: "GITHUB_TOKEN",
    text: "GITHUB_TOKEN=ghu_ZsKoMCISjus8fR3Zs3ZNTLZjYdzSYwNbiLGt",
    secret: "ghu_ZsKoMCISjus8fR3Zs3ZNTLZjYdzSYwNbiLGt",
  },
  {
    detector: "GITHUB_TOKEN",
    text: "token ghs_XcnbPVTcLfduxwbqew0SmIXif4YLlFooQUSs",
    secret: "ghs_XcnbPVTcLfduxwbqew0SmIXif4YLlFooQUSs",
  },
  {
    detector: "GITHUB_TOKEN",
    text: "ghr_GxHxosjU1kXrrE1SKVpAMesp7KTJLiiwTPnz",
    secret: "ghr_GxHxosjU1kXrrE1SKVpAMesp7KTJLiiwTPnz",
  },
  {
    detector: "GITHUB_TOKEN",
    text: '"token": "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"',
    secret: "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",
  },
  {
    detector: "GITHUB_TOKEN",
    text: "GITHUB_TOKEN=ghp_d7qGFLdf26X1F1aBzgYNA3KNuTMA2RVfAB9L",
    secret: "ghp_d7qGFLdf26X1F1aBzgYNA3KNuTMA2RVfAB9L",
  },
  {
    detector: "GITHUB_TOKEN",
    text: "token gho_sxwohTe6hqVy2hxOWHY9xED8Bapfy8nc9sTY",
    secret: "gho_sxwohTe6hqVy2hxOWHY9xED8Bapfy8nc9sTY",
  },
  {
    detector: "GITHUB_TOKEN",
    text: "ghu_bs56gKhkLCs43iNjXmEJpkZVOcZLu85Xw1CM",
    secret: "ghu_bs56gKhkLCs43iNjXmEJpkZVOcZLu85Xw1CM",
  },
  {
    detector: "GITHUB_TOKEN",
    text: '"token": "ghs_nVGhec0UuOPYxztdn5WbAWumh8aMcJdSSjz2"',
    secret: "ghs_nVGhec0UuOPYxztdn5WbAWumh8aMcJdSSjz2",
  },
  {
    detector: "GITHUB_TOKEN",
    text: "GITHUB_TOKEN=ghr_QNbZTmOnHwannfQGJrHxAHQARLlc7PVuJPcz",
    secret: "ghr_QNbZTmOnHwannfQGJrHxAHQARLlc7PVuJPcz",
  },
  {
    detector: "GITHUB_TOKEN",
    text: "token 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",
    secret: "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",
  },
  {
    detector: "GITHUB_TOKEN",
    text: "ghp_qArZR3zChcilrj6C7rzXPdMPXQMJLTP2uTwz",
    secret: "ghp_qArZR3zChcilrj6C7rzXPdMPXQMJLTP2uTwz",
  },
  {
    detector: "GITHUB_TOKEN",
    text: '"token": "gho_1zpNJ2cLYMO3BZCYd6hmJXPBk8gWXjFSsqHi"',
    secret: "gho_1zpNJ2cLYMO3BZCYd6hmJXPBk8gWXjFSsqHi",
  },
  {
    detector: "GITHUB_TOKEN",
    text: "GITHUB_TOKEN=ghu_aJwI7vEeThoKjIVvc1oZIwoYfEzIH76EVtjD",
    secret: "ghu_aJwI7vEeThoKjIVvc1oZIwoYfEzIH76EVtjD",
  },
  {
    detector: "GITHUB_TOKEN",
    text: "token ghs_1yt5CAoUxcut44LSlR86WGvTiwvu9KwV9tuU",
    secret: "ghs_1yt5CAoUxcut44LSlR86WGvTiwvu9KwV9tuU",
  },
  {
    detector: "GITHUB_TOKEN",
    text: "ghr_17ZanDw1oK3Xx9cQ4MH5ozkpd2Hlscurf98r",
    secret: "ghr_17ZanDw1oK3Xx9cQ4MH5ozkpd2Hlscurf98r",
  },
  {
    detector: "GITHUB_TOKEN",
    text: '"token": "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"',
    secret: "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",
  },
  {
    detector: "GITHUB_TOKEN",
    text: "GITHUB_TOKEN=ghp_RDBzwIcToy2awdcSNTJR4EEiO5RCbP35FNMp",
    secret: "ghp_RDBzwIcToy2awdcSNTJR4EEiO5RCbP35FNMp",
  },
  {
    detector: "GITHUB_TOKEN",
    text: "token gho_LJJzdzVal8IuyxhY3rx8r19hB2zHklxIqAy4",
    secret: "gho_LJJzdzVal8IuyxhY3rx8r19hB2zHklxIqAy4",
  },
  {
    detector: "GITHUB_TOKEN",
    text: "ghu_msE9hIz1lu1H3yssRhXa6PNgopJa5jnMb9RD",
    secret: "ghu_msE9hIz1lu1H3yssRhXa6PNgopJa5jnMb9RD",
  },
  {
    detector: "GITHUB_TOKEN",
    text: '"token": "ghs_URP7d30F8YdniDF1RE8SudzJDxbLqDMjq8IL"',
    secret: "ghs_URP7d30F8YdniDF1RE8SudzJDxbLqDMjq8IL",
  },
  {
    detector: "GITHUB_TOKEN",
    text: "GITHUB_TOKEN=ghr_RUPTXjhcRrP5POsuVKEIBQi5Eq2OsbZnLC4I",
    secret: "ghr_RUPTXjhcRrP5POsuVKEIBQi5Eq2OsbZnLC4I",
  },
  {
    detector: "GITHUB_TOKEN",
    text: "token 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",
    secret: "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",
  },
  {
    detector: "GITHUB_TOKEN",
    text: "ghp_17m5hjFNTxuLRLBI9F1qOZjsZlQpTgNzGITj",
    secret: "ghp_17m5hjFNTxuLRLBI9F1qOZjsZlQpTgNzGITj",
  },
  {
    detector: "GITHUB_TOKEN",
    text: '"token": "gho_lBsXjFQh2gdLKhtuYliJTFMA79L97c55qpPT"',
    secret: "gho_lBsXjFQh2gdLKhtuYliJTFMA79L97c55qpPT",
  },
  { detector: "GITHUB_TOKEN", text: "value ghp_sreWDXCIab here" },
  { detector: "GITHUB_TOKEN", text: "value ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx here" },
  { detector: "GITHUB_TOKEN", text: "value gh_pages branch here" },
  { detector: "GITHUB_TOKEN", text: "value ghp_YOUR_TOKEN here" },
  { detector: "GITHUB_TOKEN", text: "value github_pat_ here" },
  { detector: "GITHUB_TOKEN", text: "value ghp_000000000000000000000000000000000000 here" },
  { detector: "GITHUB_TOKEN", text: "value ghx_LAB6daNcNu6YbKfz0uqbpFeVkz4ssHqw8E67 here" },
  { detector: "GITHUB_TOKEN", text: "value xghp_xRlay4n2uhDfsHCqZ2xfIDrz26J6tc33rSTC here" },
  { detector: "GITHUB_TOKEN", text: "value ghp-9xIhGCgu5LOaFifD3WeSHd97RwTBQ0Z9nzLc here" },
  { detector: "GITHUB_TOKEN", text: "value GHP_swjPUrPM8eI3OTryGgZLSfPV5BmFZuMod2ya here" },
  { detector: "GITHUB_TOKEN", text: "value github_pat_b1FHP1AUcl here" },
  { detector: "GITHUB_TOKEN", text: "value ghp_... here" },
  { detector: "GITHUB_TOKEN", text: "value ghp_abababababababababababababababababab here" },
  { detector: "GITHUB_TOKEN", text: "value the ghp_ prefix here" },
  { detector: "GITHUB_TOKEN", text: "value gho_------------------------------------ here" },
  { detector: "GITHUB_TOKEN", text: "value ghp_wHHuIp5o5NpOh6LJsvVUGxp5ZZf8xRsTAr1 here" },
  { detector: "GITHUB_TOKEN", text: "value ghs_5PYf9RyHKdd4tGvSFjMh here" },
  { detector: "GITHUB_TOKEN", text: "value ghp_<token> here" },
  { detector: "GITHUB_TOKEN", text: "value ghp_${TOKEN} here" },
  { detector: "GITHUB_TOKEN", text: "value github_pattern_matching here" },
  { detector: "GITHUB_TOKEN", text: "value ghp_1234567890123456789012345678901234567890 here" },
  { detector: "GITHUB_TOKEN", text: "value ghu_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA here" },
  { detector: "GITHUB_TOKEN", text: "value ghp m52IbFQ3pu8osIcuqKMaxJd5IV74qtg7R9Mn here" },
  { detector: "GITHUB_TOKEN", text: "value ghp_M28oUAkOue J1gzwRtNM1DQtEaZIWzcYNMaeR here" },
  { detector: "GITHUB_TOKEN", text: "value github.com/org/repo here" },
  { detector: "GITHUB_TOKEN", text: "value gh auth login here" },
  { detector: "GITHUB_TOKEN", text: "value ghr_ here" },
  { detector: "GITHUB_TOKEN", text: "value ghp__9dUELwwpiIor66iMnNhmFbigCyV9KJVknp6T here" },
  { detector: "GITHUB_TOKEN", text: "value enough_ghp_text here" },
  { detector: "GITHUB_TOKEN", text: "value ghp_aAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaA here" },
  // SLACK_TOKEN: 32 positives, 30 look-alike negatives
  {
    detector: "SLACK_TOKEN",
    text: "SLACK_BOT_TOKEN=xoxb-65387909957-325410677180-6011927625108-6ded5d646b647c4f83f6ea0907ffae74",
    secret: "xoxb-65387909957-325410677180-6011927625108-6ded5d646b647c4f83f6ea0907ffae74",
  },
  {
    detector: "SLACK_TOKEN",
    text: "slack token xoxp-849444678535-2850926260919-m947w8DVyxEyK0bpIBz97Qer",
    secret: "xoxp-849444678535-2850926260919-m947w8DVyxEyK0bpIBz97Qer",
  },
  {
    detector: "SLACK_TOKEN",
    text: "xoxa-60567926738-443648391456-0841363603445-d8e45d2f5e00488f3a1a4de3a364200c",
    secret: "xoxa-60567926738-443648391456-0841363603445-d8e45d2f5e00488f3a1a4de3a364200c",
  },
  {
    detector: "SLACK_TOKEN",
    text: '"token":"xoxr-298090290879-0969925951704-t3yyCu5iDRNatBxu7KHnsu1o"',
    secret: "xoxr-298090290879-0969925951704-t3yyCu5iDRNatBxu7KHnsu1o",
  },
  {
    detector: "SLACK_TOKEN",
    text: "SLACK_BOT_TOKEN=xoxe-00986751778-136534528904-7889691760805-384f5c71c084ac6b363aaff57c1757e0",
    secret: "xoxe-00986751778-136534528904-7889691760805-384f5c71c084ac6b363aaff57c1757e0",
  },
  {
    detector: "SLACK_TOKEN",
    text: "slack token xoxb-932548031230-2826242725611-tVCLZUIQBxqOwAwfxyXm6RuX",
    secret: "xoxb-932548031230-2826242725611-tVCLZUIQBxqOwAwfxyXm6RuX",
  },
  {
    detector: "SLACK_TOKEN",
    text: "xoxp-11539464205-580937267353-5864934028974-74e4429829221560fab4513a631a0fee",
    secret: "xoxp-11539464205-580937267353-5864934028974-74e4429829221560fab4513a631a0fee",
  },
  {
    detector: "SLACK_TOKEN",
    text: '"token":"xoxa-688786097578-3451595688871-P2Eja9roCOumSzkCP7uQ8Wg6"',
    secret: "xoxa-688786097578-3451595688871-P2Eja9roCOumSzkCP7uQ8Wg6",
  },
  {
    detector: "SLACK_TOKEN",
    text: "SLACK_BOT_TOKEN=xoxr-95749410603-311443019952-2790547695694-324c8881c973598e1250f7d9d13beba8",
    secret: "xoxr-95749410603-311443019952-2790547695694-324c8881c973598e1250f7d9d13beba8",
  },
  {
    detector: "SLACK_TOKEN",
    text: "slack token xoxe-321806316215-1289592845144-uGA6yC2fOkZB6PkkYKZ3QBJN",
    secret: "xoxe-321806316215-1289592845144-uGA6yC2fOkZB6PkkYKZ3QBJN",
  },
  {
    detector: "SLACK_TOKEN",
    text: "xoxb-29737319793-614149337323-2546942296939-b6d885f5e026ea80be25ffeea93177d0",
    secret: "xoxb-29737319793-614149337323-2546942296939-b6d885f5e026ea80be25ffeea93177d0",
  },
  {
    detector: "SLACK_TOKEN",
    text: '"token":"xoxp-626399488692-7133723849953-BLoLtjJCoVRq19ZIo5ySLxB9"',
    secret: "xoxp-626399488692-7133723849953-BLoLtjJCoVRq19ZIo5ySLxB9",
  },
  {
    detector: "SLACK_TOKEN",
    text: "SLACK_BOT_TOKEN=xoxa-92256310540-658487919830-7677346424854-f2290fc234f1cf998eea64b20fb2033d",
    secret: "xoxa-92256310540-658487919830-7677346424854-f2290fc234f1cf998eea64b20fb2033d",
  },
  {
    detector: "SLACK_TOKEN",
    text: "slack token xoxr-300723665749-7775122634298-kSMB2Ok7OHqIGTsjoQGyUUGH",
    secret: "xoxr-300723665749-7775122634298-kSMB2Ok7OHqIGTsjoQGyUUGH",
  },
  {
    detector: "SLACK_TOKEN",
    text: "xoxe-84390024417-871815731576-6787712085608-e0c14907ea20d61246363902ee895d68",
    secret: "xoxe-84390024417-871815731576-6787712085608-e0c14907ea20d61246363902ee895d68",
  },
  {
    detector: "SLACK_TOKEN",
    text: '"token":"xoxb-393624198635-1918758218244-Y4SlmJGs7J5qvPaUBmGkqijp"',
    secret: "xoxb-393624198635-1918758218244-Y4SlmJGs7J5qvPaUBmGkqijp",
  },
  {
    detector: "SLACK_TOKEN",
    text: "SLACK_BOT_TOKEN=xoxp-51834128283-206022857900-7047472708101-4e1578b4e78683721bd87c6ce821cf41",
    secret: "xoxp-51834128283-206022857900-7047472708101-4e1578b4e78683721bd87c6ce821cf41",
  },
  {
    detector: "SLACK_TOKEN",
    text: "slack token xoxa-225351030048-4895527585714-NjXfrQ8Huzi2Ljz5EEQ9twKW",
    secret: "xoxa-225351030048-4895527585714-NjXfrQ8Huzi2Ljz5EEQ9twKW",
  },
  {
    detector: "SLACK_TOKEN",
    text: "xoxr-64306708179-172435169085-7171177927292-91e61caf910634a9107141ae94f8b9f0",
    secret: "xoxr-64306708179-172435169085-7171177927292-91e61caf910634a9107141ae94f8b9f0",
  },
  {
    detector: "SLACK_TOKEN",
    text: '"token":"xoxe-529613365598-5615992788197-6uuhsDOqok9nmi8l2eVOxuZK"',
    secret: "xoxe-529613365598-5615992788197-6uuhsDOqok9nmi8l2eVOxuZK",
  },
  {
    detector: "SLACK_TOKEN",
    text: "SLACK_BOT_TOKEN=xoxb-28534519789-773181845641-0784686152509-b75a438992ff576dfe65221c7a2043ed",
    secret: "xoxb-28534519789-773181845641-0784686152509-b75a438992ff576dfe65221c7a2043ed",
  },
  {
    detector: "SLACK_TOKEN",
    text: "slack token xoxp-158720152577-5898383378983-hQmjFDyODaAJCx3daGw2NzoP",
    secret: "xoxp-158720152577-5898383378983-hQmjFDyODaAJCx3daGw2NzoP",
  },
  {
    detector: "SLACK_TOKEN",
    text: "xoxa-99625780484-932892561339-4596850958576-bcaeaaacb98ab5e59fd30ad44ce584b5",
    secret: "xoxa-99625780484-932892561339-4596850958576-bcaeaaacb98ab5e59fd30ad44ce584b5",
  },
  {
    detector: "SLACK_TOKEN",
    text: '"token":"xoxr-600915956681-7313382029867-Le4Fa7No5FhsvakHGUVRS8bv"',
    secret: "xoxr-600915956681-7313382029867-Le4Fa7No5FhsvakHGUVRS8bv",
  },
  {
    detector: "SLACK_TOKEN",
    text: "SLACK_BOT_TOKEN=xoxe-06468246663-772725554946-2505765551056-6bc0093557d0a065466e141aac59efcb",
    secret: "xoxe-06468246663-772725554946-2505765551056-6bc0093557d0a065466e141aac59efcb",
  },
  {
    detector: "SLACK_TOKEN",
    text: "slack token xoxb-189671816599-5687721257981-7vUlvjzBF9Gin6FLe45QqbII",
    secret: "xoxb-189671816599-5687721257981-7vUlvjzBF9Gin6FLe45QqbII",
  },
  {
    detector: "SLACK_TOKEN",
    text: "xoxp-80242340392-070956483662-3273681830837-b53a00e58a35b810aafb14beaa5c4262",
    secret: "xoxp-80242340392-070956483662-3273681830837-b53a00e58a35b810aafb14beaa5c4262",
  },
  {
    detector: "SLACK_TOKEN",
    text: '"token":"xoxa-233348163264-0469470486852-a4mA7vmK1GqlDd3Jr78BXTL7"',
    secret: "xoxa-233348163264-0469470486852-a4mA7vmK1GqlDd3Jr78BXTL7",
  },
  {
    detector: "SLACK_TOKEN",
    text: "SLACK_BOT_TOKEN=xoxr-04421141600-327782105104-2077966875542-7822f86dc28b9d51445723ddd43857ab",
    secret: "xoxr-04421141600-327782105104-2077966875542-7822f86dc28b9d51445723ddd43857ab",
  },
  {
    detector: "SLACK_TOKEN",
    text: "slack token xoxe-326540430609-5795919822727-NDu42BqVyU8nkqHMmOfaOtFj",
    secret: "xoxe-326540430609-5795919822727-NDu42BqVyU8nkqHMmOfaOtFj",
  },
  {
    detector: "SLACK_TOKEN",
    text: "xoxb-52697519093-262015412406-0672957009005-53f684d62e7de8404e12419a88ab8b4c",
    secret: "xoxb-52697519093-262015412406-0672957009005-53f684d62e7de8404e12419a88ab8b4c",
  },
  {
    detector: "SLACK_TOKEN",
    text: '"token":"xoxp-314901315263-6006708066638-aB6BiWB0dzk4CfzqdpsZxzhC"',
    secret: "xoxp-314901315263-6006708066638-aB6BiWB0dzk4CfzqdpsZxzhC",
  },
  { detector: "SLACK_TOKEN", text: "value xoxo here" },
  { detector: "SLACK_TOKEN", text: "value xoxb-your-token here" },
  { detector: "SLACK_TOKEN", text: "value xoxb-123-abc here" },
  { detector: "SLACK_TOKEN", text: "value xoxb- here" },
  { detector: "SLACK_TOKEN", text: "value xoxo-hugs-and-kisses here" },
  { detector: "SLACK_TOKEN", text: "value xoxb-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx here" },
  { detector: "SLACK_TOKEN", text: "value xoxb-<token> here" },
  { detector: "SLACK_TOKEN", text: "value xoxb-${SLACK_TOKEN} here" },
  { detector: "SLACK_TOKEN", text: "value xoxz-315944774052-QW6dGQWgDL0thmYG7T3HZ2EC here" },
  { detector: "SLACK_TOKEN", text: "value xxoxb-316268543001-YAU8VNyNYdfZgoUKtPoBQPfh here" },
  { detector: "SLACK_TOKEN", text: "value XOXB-565834019255-7bn8jCmhl5pCcokJiu2ibvsY here" },
  { detector: "SLACK_TOKEN", text: "value xoxb-061-bzaHAkcnPqE8WVlOgVW4dC0o here" },
  { detector: "SLACK_TOKEN", text: "value xoxb-238048829294 here" },
  { detector: "SLACK_TOKEN", text: "value xoxb 389100824098 ITX1omFqJ8Sk9rQxqd0SYAin here" },
  { detector: "SLACK_TOKEN", text: "value xoxb-805247597219-aaaaaaaaaaaaaaaaaaaaaaaa here" },
  { detector: "SLACK_TOKEN", text: "value xoxb-abc-def-ghi here" },
  { detector: "SLACK_TOKEN", text: "value xox-821978705159-DGQWZsDZNQJYZk8i7ZJClKoM here" },
  { detector: "SLACK_TOKEN", text: "value xoxp-... here" },
  { detector: "SLACK_TOKEN", text: "value the xoxb- prefix here" },
  { detector: "SLACK_TOKEN", text: "value xoxb-244471320079-KzAhE here" },
  { detector: "SLACK_TOKEN", text: "value xoxb_223728209092_RD0jRVVheaTT8UhWiYhByZZ2 here" },
  { detector: "SLACK_TOKEN", text: "value xoxoxo here" },
  { detector: "SLACK_TOKEN", text: "value xoxb-000000000000-000000000000000000000000 here" },
  { detector: "SLACK_TOKEN", text: "value xoxb-REPLACE-ME here" },
  { detector: "SLACK_TOKEN", text: "value xoxp-token-here here" },
  { detector: "SLACK_TOKEN", text: "value box-735443010585-1bYTy5zMe1Q3wNIj53AXCGo0 here" },
  { detector: "SLACK_TOKEN", text: "value xoxa2-uaHGPx4rP0HPqyLTgPIGqajxNO4qur here" },
  { detector: "SLACK_TOKEN", text: "value xoxb-753085971656-abababababababababababab here" },
  { detector: "SLACK_TOKEN", text: "value slack://channel here" },
  { detector: "SLACK_TOKEN", text: "value xoxb-123456- here" },
  // GOOGLE_API_KEY: 32 positives, 30 look-alike negatives
  {
    detector: "GOOGLE_API_KEY",
    text: "key=AIza9E0c499Hw-ZE-pH-ngfXA8dSgBZbPSQpOal",
    secret: "AIza9E0c499Hw-ZE-pH-ngfXA8dSgBZbPSQpOal",
  },
  {
    detector: "GOOGLE_API_KEY",
    text: "GOOGLE_API_KEY=AIzanQPUsaySkPUPnkrOQrCt-ZP3OYzmaDma5P2",
    secret: "AIzanQPUsaySkPUPnkrOQrCt-ZP3OYzmaDma5P2",
  },
  {
    detector: "GOOGLE_API_KEY",
    text: "AIzazP1et0YT5B6G1ypZE3x0xsAY4HWZ3b6tg-L",
    secret: "AIzazP1et0YT5B6G1ypZE3x0xsAY4HWZ3b6tg-L",
  },
  {
    detector: "GOOGLE_API_KEY",
    text: '"apiKey": "AIzafcdTdutEIofR4IOpYrr8Iftv2-N_fRVvSZu"',
    secret: "AIzafcdTdutEIofR4IOpYrr8Iftv2-N_fRVvSZu",
  },
  {
    detector: "GOOGLE_API_KEY",
    text: "key=AIzafxFuv_Xli-Re86tt10mBApjwWBg76TsXLuM",
    secret: "AIzafxFuv_Xli-Re86tt10mBApjwWBg76TsXLuM",
  },
  {
    detector: "GOOGLE_API_KEY",
    text: "GOOGLE_API_KEY=AIzaGHGCKpFR-93DeY1TDszRWpvirzzHbSijB3_",
    secret: "AIzaGHGCKpFR-93DeY1TDszRWpvirzzHbSijB3_",
  },
  {
    detector: "GOOGLE_API_KEY",
    text: "AIzaDrfLBmm7L39dt5DQzdxi_5I3ai26D3_ap-1",
    secret: "AIzaDrfLBmm7L39dt5DQzdxi_5I3ai26D3_ap-1",
  },
  {
    detector: "GOOGLE_API_KEY",
    text: '"apiKey": "AIzalYY3kFRlbh_y0LZ0AfBeSfKgbwst4bxSWGD"',
    secret: "AIzalYY3kFRlbh_y0LZ0AfBeSfKgbwst4bxSWGD",
  },
  {
    detector: "GOOGLE_API_KEY",
    text: "key=AIzapR1C5vbGc6DF_H4KiXw1hYAkMYlfCZbjl3f",
    secret: "AIzapR1C5vbGc6DF_H4KiXw1hYAkMYlfCZbjl3f",
  },
  {
    detector: "GOOGLE_API_KEY",
    text: "GOOGLE_API_KEY=AIzacyyd063rJpOVK0fYGHsjjqXXa7nYrUupAMa",
    secret: "AIzacyyd063rJpOVK0fYGHsjjqXXa7nYrUupAMa",
  },
  {
    detector: "GOOGLE_API_KEY",
    text: "AIzaydJZp3MffHdqWN7ephSGj7PgLxiXWLxhGvQ",
    secret: "AIzaydJZp3MffHdqWN7ephSGj7PgLxiXWLxhGvQ",
  },
  {
    detector: "GOOGLE_API_KEY",
    text: '"apiKey": "AIzaNDVDfOJLZrsakWSB58XgrLV385SrXBx0zD6"',
    secret: "AIzaNDVDfOJLZrsakWSB58XgrLV385SrXBx0zD6",
  },
  {
    detector: "GOOGLE_API_KEY",
    text: "key=AIzaNU0PR9HvZrwlYYi-OemrZKZdQJEDRVBbOUY",
    secret: "AIzaNU0PR9HvZrwlYYi-OemrZKZdQJEDRVBbOUY",
  },
  {
    detector: "GOOGLE_API_KEY",
    text: "GOOGLE_API_KEY=AIzaiNi_kNrhl1qdNfTX55GZWCflBNtnTdbEzWx",
    secret: "AIzaiNi_kNrhl1qdNfTX55GZWCflBNtnTdbEzWx",
  },
  {
    detector: "GOOGLE_API_KEY",
    text: "AIzas4loM1cpGMyIfCiBIfsCpc5luTiYk5qdcTS",
    secret: "AIzas4loM1cpGMyIfCiBIfsCpc5luTiYk5qdcTS",
  },
  {
    detector: "GOOGLE_API_KEY",
    text: '"apiKey": "AIzaU0gTQHISL0uiWN9mH1xE0FaAciLt_q8hwCD"',
    secret: "AIzaU0gTQHISL0uiWN9mH1xE0FaAciLt_q8hwCD",
  },
  {
    detector: "GOOGLE_API_KEY",
    text: "key=AIzabv-qHFQ1dAw25ZT_tH-uIR7waSaPE3xM-3a",
    secret: "AIzabv-qHFQ1dAw25ZT_tH-uIR7waSaPE3xM-3a",
  },
  {
    detector: "GOOGLE_API_KEY",
    text: "GOOGLE_API_KEY=AIza-7b6H9QTSJXO3rHEMu-sy30ZqBCGYHNnEhr",
    secret: "AIza-7b6H9QTSJXO3rHEMu-sy30ZqBCGYHNnEhr",
  },
  {
    detector: "GOOGLE_API_KEY",
    text: "AIzab4egbt5FD_V-oHc2rhwgkNwoIBs8qm_F6km",
    secret: "AIzab4egbt5FD_V-oHc2rhwgkNwoIBs8qm_F6km",
  },
  {
    detector: "GOOGLE_API_KEY",
    text: '"apiKey": "AIzaqZ8e1uTOstQAFG-tTIdSF6kstKmDnIQ_WHs"',
    secret: "AIzaqZ8e1uTOstQAFG-tTIdSF6kstKmDnIQ_WHs",
  },
  {
    detector: "GOOGLE_API_KEY",
    text: "key=AIza3jqykuHE378WqdULUBpNigiv8kkTFMIwGZR",
    secret: "AIza3jqykuHE378WqdULUBpNigiv8kkTFMIwGZR",
  },
  {
    detector: "GOOGLE_API_KEY",
    text: "GOOGLE_API_KEY=AIzaIyGbUqMkpX0MXR0-W0DiKq6QnYUsUpYkOtI",
    secret: "AIzaIyGbUqMkpX0MXR0-W0DiKq6QnYUsUpYkOtI",
  },
  {
    detector: "GOOGLE_API_KEY",
    text: "AIzarGsiiiF0eqUia0HCPAqSUuMh8fx84P62WqW",
    secret: "AIzarGsiiiF0eqUia0HCPAqSUuMh8fx84P62WqW",
  },
  {
    detector: "GOOGLE_API_KEY",
    text: '"apiKey": "AIzakV9IhvSS016JIKmBYlGJiJuITUOzUV7dWC8"',
    secret: "AIzakV9IhvSS016JIKmBYlGJiJuITUOzUV7dWC8",
  },
  {
    detector: "GOOGLE_API_KEY",
    text: "key=AIzaPYWrcqBQVS5GtRR43RK_rLcsoz5YDMJU1zC",
    secret: "AIzaPYWrcqBQVS5GtRR43RK_rLcsoz5YDMJU1zC",
  },
  {
    detector: "GOOGLE_API_KEY",
    text: "GOOGLE_API_KEY=AIzaW8_BptemzevslCP5MwEWSnmRMP0XAdPt8jn",
    secret: "AIzaW8_BptemzevslCP5MwEWSnmRMP0XAdPt8jn",
  },
  {
    detector: "GOOGLE_API_KEY",
    text: "AIza1PHgpqO0DiKhTRcW4z1pGqdqI13pDhy-zYe",
    secret: "AIza1PHgpqO0DiKhTRcW4z1pGqdqI13pDhy-zYe",
  },
  {
    detector: "GOOGLE_API_KEY",
    text: '"apiKey": "AIzaa5QACEjAYBRZj5DsN3jtFP7l3pTSiXPYB5X"',
    secret: "AIzaa5QACEjAYBRZj5DsN3jtFP7l3pTSiXPYB5X",
  },
  {
    detector: "GOOGLE_API_KEY",
    text: "key=AIzapzanqnSoDHASiCVuvQc_4tM3Iwf6xvv1iM5",
    secret: "AIzapzanqnSoDHASiCVuvQc_4tM3Iwf6xvv1iM5",
  },
  {
    detector: "GOOGLE_API_KEY",
    text: "GOOGLE_API_KEY=AIza5_-A_lI4qovFxe9obsqhilitI6IrHGAfSr7",
    secret: "AIza5_-A_lI4qovFxe9obsqhilitI6IrHGAfSr7",
  },
  {
    detector: "GOOGLE_API_KEY",
    text: "AIzaUvVv0xpweiS3DIuDj0HR-7dmnZWA_AMXoU4",
    secret: "AIzaUvVv0xpweiS3DIuDj0HR-7dmnZWA_AMXoU4",
  },
  {
    detector: "GOOGLE_API_KEY",
    text: '"apiKey": "AIzaeJJsWeYbcUNZC3cym1pH8LkfUdkoOLqyKTq"',
    secret: "AIzaeJJsWeYbcUNZC3cym1pH8LkfUdkoOLqyKTq",
  },
  { detector: "GOOGLE_API_KEY", text: "value AIzaOvmqsaQhBTZWs5AsdbPN9tZ9pBTIEn here" },
  { detector: "GOOGLE_API_KEY", text: "value AIzaEmvVTefjVfKk7DA0ek2hA3WZCL7G1C4HRLgtspRF here" },
  { detector: "GOOGLE_API_KEY", text: "value AIzaSy here" },
  { detector: "GOOGLE_API_KEY", text: "value AIzaSyXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX here" },
  { detector: "GOOGLE_API_KEY", text: "value AIza00000000000000000000000000000000000 here" },
  { detector: "GOOGLE_API_KEY", text: "value xAIzaNKWzA4tx2UTBGIcLYFpPOLUBsIMUicByWJF here" },
  { detector: "GOOGLE_API_KEY", text: "value aizaRMZ1nEerYOlImpu6S983XVv6UMK25IsW6H5 here" },
  { detector: "GOOGLE_API_KEY", text: "value AIZAnWaQXORlK5IlMYNUsMXtMHV1wWfMFtEH1dm here" },
  { detector: "GOOGLE_API_KEY", text: "value AIza----------------------------------- here" },
  { detector: "GOOGLE_API_KEY", text: "value AIzau0p29kSb9965iHFf26SHXGsZ4RVlS6gYTz here" },
  { detector: "GOOGLE_API_KEY", text: "value AIzaG89IYN1ZodvevUjo8HsTvXrs6T3IR7EcVlOa here" },
  { detector: "GOOGLE_API_KEY", text: "value AIza<key> here" },
  { detector: "GOOGLE_API_KEY", text: "value AIza${KEY} here" },
  { detector: "GOOGLE_API_KEY", text: "value AIza... here" },
  { detector: "GOOGLE_API_KEY", text: "value the AIza prefix here" },
  { detector: "GOOGLE_API_KEY", text: "value AIza RjkkC1OHQxGWHWNMk3xXrn78oQHVJruUdFr here" },
  { detector: "GOOGLE_API_KEY", text: "value AIzaabababababababababababababababababa here" },
  { detector: "GOOGLE_API_KEY", text: "value AIzaSyREPLACE_ME here" },
  { detector: "GOOGLE_API_KEY", text: "value AIza12345671234567123456712345671234567 here" },
  { detector: "GOOGLE_API_KEY", text: "value AIzaXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX here" },
  { detector: "GOOGLE_API_KEY", text: "value AIza___________________________________ here" },
  { detector: "GOOGLE_API_KEY", text: "value AIzaoMH9wiD71Q K7rljG3viZjLOYdIs67h2Z6ot here" },
  { detector: "GOOGLE_API_KEY", text: "value AizagZHkipUTywrVBiZ4DpTMCUVdu3D1qBORybd here" },
  { detector: "GOOGLE_API_KEY", text: "value AIzdXNVYae7wflytiD8EIYxMcLbwnAXqMQ8jKMr here" },
  { detector: "GOOGLE_API_KEY", text: "value AIza3kdf06mEGWmJMzLSCrSZ8MDXeFVeXsIY8ja-x here" },
  { detector: "GOOGLE_API_KEY", text: "value AIzaIdst0a7InxTonBWobTFkCJcSqMWQdlcPRia_ here" },
  { detector: "GOOGLE_API_KEY", text: "value AIzaPMObEo8NJDdbbcNiUtaegMJh3fU9ESnAxPW9 here" },
  { detector: "GOOGLE_API_KEY", text: "value AIzaAIzaAIzaAIzaAIzaAIzaAIzaAIzaAIzaAIz here" },
  { detector: "GOOGLE_API_KEY", text: "value google api key: none here" },
  { detector: "GOOGLE_API_KEY", text: "value AIzaSyD-placeholder here" },
  // AUTH_HEADER: 32 positives, 30 look-alike negatives
  {
    detector: "AUTH_HEADER",
    text: "Authorization: Bearer 7LWOJNibBYzQulNFA17TF3bLjlHohqme",
    secret: "7LWOJNibBYzQulNFA17TF3bLjlHohqme",
  },
  {
    detector: "AUTH_HEADER",
    text: "curl -H 'Authorization: bearer UQN5yvPq4K1o0rrMAJjI.aAzQdQTzr5lh' https://api.example.com",
    secret: "UQN5yvPq4K1o0rrMAJjI.aAzQdQTzr5lh",
  },
  {
    detector: "AUTH_HEADER",
    text: "Authorization: Basic aXpnMjdkOmoyMG1DTmk0Qk9vTQ==",
    secret: "aXpnMjdkOmoyMG1DTmk0Qk9vTQ==",
  },
  {
    detector: "AUTH_HEADER",
    text: "Authorization: Token e6a2a13c00c47809d7c72ca064f3b2fad657316a",
    secret: "e6a2a13c00c47809d7c72ca064f3b2fad657316a",
  },
  {
    detector: "AUTH_HEADER",
    text: "Authorization: Bearer eM082uNKCjCxHtxUn5DKyfE0lIUR45Zw",
    secret: "eM082uNKCjCxHtxUn5DKyfE0lIUR45Zw",
  },
  {
    detector: "AUTH_HEADER",
    text: "curl -H 'Authorization: bearer XJ6QMCY5rP99KikBIzvq.FUoMjh19CyjS' https://api.example.com",
    secret: "XJ6QMCY5rP99KikBIzvq.FUoMjh19CyjS",
  },
  {
    detector: "AUTH_HEADER",
    text: "Authorization: Basic YXp5MW1sOkVZdTVYQU56eTZIbQ==",
    secret: "YXp5MW1sOkVZdTVYQU56eTZIbQ==",
  },
  {
    detector: "AUTH_HEADER",
    text: "Authorization: Token ecfd67561eeb8c94c1a8c7634bfd95f19fec2c1c",
    secret: "ecfd67561eeb8c94c1a8c7634bfd95f19fec2c1c",
  },
  {
    detector: "AUTH_HEADER",
    text: "Authorization: Bearer tCyG6fIHeQNMP5hCKq2YGGFmfaCDX1si",
    secret: "tCyG6fIHeQNMP5hCKq2YGGFmfaCDX1si",
  },
  {
    detector: "AUTH_HEADER",
    text: "curl -H 'Authorization: bearer 5dH2i4uO1nz2mn46Xhl8.jnEg3cTqxusM' https://api.example.com",
    secret: "5dH2i4uO1nz2mn46Xhl8.jnEg3cTqxusM",
  },
  {
    detector: "AUTH_HEADER",
    text: "Authorization: Basic NHY5Y21sOlNEd2pKbDROa1paeA==",
    secret: "NHY5Y21sOlNEd2pKbDROa1paeA==",
  },
  {
    detector: "AUTH_HEADER",
    text: "Authorization: Token de7052f396deddd8e253fa23e247248f35bafea4",
    secret: "de7052f396deddd8e253fa23e247248f35bafea4",
  },
  {
    detector: "AUTH_HEADER",
    text: "Authorization: Bearer LZKssUy28xn7SOjPp74bOfM2gXAoBrYP",
    secret: "LZKssUy28xn7SOjPp74bOfM2gXAoBrYP",
  },
  {
    detector: "AUTH_HEADER",
    text: "curl -H 'Authorization: bearer 3KwcQnsBHl7CguHSuqBU.wdj9e0CHsonT' https://api.example.com",
    secret: "3KwcQnsBHl7CguHSuqBU.wdj9e0CHsonT",
  },
  {
    detector: "AUTH_HEADER",
    text: "Authorization: Basic YWUzZGE3OkVRTlBLczAzdjRWMQ==",
    secret: "YWUzZGE3OkVRTlBLczAzdjRWMQ==",
  },
  {
    detector: "AUTH_HEADER",
    text: "Authorization: Token bcaaca659ca2c326576aaff8ac7c91f4a209e379",
    secret: "bcaaca659ca2c326576aaff8ac7c91f4a209e379",
  },
  {
    detector: "AUTH_HEADER",
    text: "Authorization: Bearer QSlbwvu2o0dNucD9JadHTgCzHgOTIfEc",
    secret: "QSlbwvu2o0dNucD9JadHTgCzHgOTIfEc",
  },
  {
    detector: "AUTH_HEADER",
    text: "curl -H 'Authorization: bearer Pr3gZylRfTgeUPM4DR3a.O2Yni86l5g7S' https://api.example.com",
    secret: "Pr3gZylRfTgeUPM4DR3a.O2Yni86l5g7S",
  },
  {
    detector: "AUTH_HEADER",
    text: "Authorization: Basic bjR4NHp5OmdGN1BHVE9uREx1cw==",
    secret: "bjR4NHp5OmdGN1BHVE9uREx1cw==",
  },
  {
    detector: "AUTH_HEADER",
    text: "Authorization: Token d6176a366c935a4a7abbe70a505f91fd6631cd10",
    secret: "d6176a366c935a4a7abbe70a505f91fd6631cd10",
  },
  {
    detector: "AUTH_HEADER",
    text: "Authorization: Bearer qhMxG0JEAFJ8u9zi7LghNsy8nk7pe6bp",
    secret: "qhMxG0JEAFJ8u9zi7LghNsy8nk7pe6bp",
  },
  {
    detector: "AUTH_HEADER",
    text: "curl -H 'Authorization: bearer HD61isJ2kzwdab18Uz4X.kanbAutdn96p' https://api.example.com",
    secret: "HD61isJ2kzwdab18Uz4X.kanbAutdn96p",
  },
  {
    detector: "AUTH_HEADER",
    text: "Authorization: Basic ZmxobXo4OmdkZUZGS1BQSXB4dg==",
    secret: "ZmxobXo4OmdkZUZGS1BQSXB4dg==",
  },
  {
    detector: "AUTH_HEADER",
    text: "Authorization: Token a0713a31681be5de5ac864b24d5d804baf897eee",
    secret: "a0713a31681be5de5ac864b24d5d804baf897eee",
  },
  {
    detector: "AUTH_HEADER",
    text: "Authorization: Bearer gN6hHOWo8yT79FFJ3pD9OneVrNGvdfj2",
    secret: "gN6hHOWo8yT79FFJ3pD9OneVrNGvdfj2",
  },
  {
    detector: "AUTH_HEADER",
    text: "curl -H 'Authorization: bearer kXe6RXSiCWrHnIiTl8gc.6X3muPVkTh0C' https://api.example.com",
    secret: "kXe6RXSiCWrHnIiTl8gc.6X3muPVkTh0C",
  },
  {
    detector: "AUTH_HEADER",
    text: "Authorization: Basic dW50bXZvOjFadHliSHhacFRQWg==",
    secret: "dW50bXZvOjFadHliSHhacFRQWg==",
  },
  {
    detector: "AUTH_HEADER",
    text: "Authorization: Token e6a4debcb43d9f47aec57937c26c8cd708b792b1",
    secret: "e6a4debcb43d9f47aec57937c26c8cd708b792b1",
  },
  {
    detector: "AUTH_HEADER",
    text: "Authorization: Bearer 0iz8HTHXLV1gwJwwMPWTY1NgCy5ZOk8j",
    secret: "0iz8HTHXLV1gwJwwMPWTY1NgCy5ZOk8j",
  },
  {
    detector: "AUTH_HEADER",
    text: "curl -H 'Authorization: bearer f2HDiaoWp85jAT3fxbP3.mfRJpfVtW5e2' https://api.example.com",
    secret: "f2HDiaoWp85jAT3fxbP3.mfRJpfVtW5e2",
  },
  {
    detector: "AUTH_HEADER",
    text: "Authorization: Basic ZWxqeXk0OnhMQ1lPcXFjWmI4aw==",
    secret: "ZWxqeXk0OnhMQ1lPcXFjWmI4aw==",
  },
  {
    detector: "AUTH_HEADER",
    text: "Authorization: Token d2505bae000016f53065419d0bebd9fe47ecd5f4",
    secret: "d2505bae000016f53065419d0bebd9fe47ecd5f4",
  },
  { detector: "AUTH_HEADER", text: "bearer of bad news" },
  { detector: "AUTH_HEADER", text: "Basic understanding of SQL" },
  { detector: "AUTH_HEADER", text: "Token count: 512" },
  { detector: "AUTH_HEADER", text: "Bearer token required" },
  { detector: "AUTH_HEADER", text: "Basic auth is disabled" },
  { detector: "AUTH_HEADER", text: "Authorization: Bearer <token>" },
  { detector: "AUTH_HEADER", text: "Bearer ${TOKEN}" },
  { detector: "AUTH_HEADER", text: "Basic YWJj" },
  { detector: "AUTH_HEADER", text: "Authorization: Bearer" },
  { detector: "AUTH_HEADER", text: "the Token was rejected" },
  { detector: "AUTH_HEADER", text: "Basic setup complete" },
  { detector: "AUTH_HEADER", text: "Bearer tokens expire" },
  { detector: "AUTH_HEADER", text: "Authorization: Basic <credentials>" },
  { detector: "AUTH_HEADER", text: "Token: none" },
  { detector: "AUTH_HEADER", text: "bearer: required" },
  { detector: "AUTH_HEADER", text: "Basic-plan customers" },
  { detector: "AUTH_HEADER", text: "Bearer YOUR_TOKEN_HERE" },
  { detector: "AUTH_HEADER", text: "Basic information" },
  { detector: "AUTH_HEADER", text: "Token limits apply" },
  { detector: "AUTH_HEADER", text: "Bearer xxxxxxxxxxxxxxxx" },
  { detector: "AUTH_HEADER", text: "Authorization: Bearer ********" },
  { detector: "AUTH_HEADER", text: "Basic !!!" },
  { detector: "AUTH_HEADER", text: "Token ..." },
  { detector: "AUTH_HEADER", text: "Bearer abc" },
  { detector: "AUTH_HEADER", text: "basic configuration" },
  { detector: "AUTH_HEADER", text: "Token based auth" },
  { detector: "AUTH_HEADER", text: "BEARER MARKET" },
  { detector: "AUTH_HEADER", text: "Basic dGVzdA==" },
  { detector: "AUTH_HEADER", text: "Token expired at 10:00" },
  { detector: "AUTH_HEADER", text: "Bearer tokenvalue" },
  // URL_PASSWORD: 32 positives, 30 look-alike negatives
  {
    detector: "URL_PASSWORD",
    text: "DATABASE_URL=postgres://nragcr:4DDdrnj!vvP96T~%@db.internal:5432/app",
    secret: "4DDdrnj!vvP96T~%",
  },
  { detector: "URL_PASSWORD", text: "connect to mysql://impcsu:btbWrO9k@db1/prod", secret: "btbWrO9k" },
  {
    detector: "URL_PASSWORD",
    text: "redis://dsqkvu:V2vKd6Vfm9flkX~Jd@cache:6379",
    secret: "V2vKd6Vfm9flkX~Jd",
  },
  {
    detector: "URL_PASSWORD",
    text: '"dsn": "https://x9y780:WTg6hybaKoD_~b*@git.example.com/org/repo.git"',
    secret: "WTg6hybaKoD_~b*",
  },
  {
    detector: "URL_PASSWORD",
    text: "DATABASE_URL=mongodb+srv://r4zmbx:Pt^CCA%VCeYo_gaJ$S@cluster0.example.net/test",
    secret: "Pt^CCA%VCeYo_gaJ$S",
  },
  {
    detector: "URL_PASSWORD",
    text: "connect to amqp://qhrsvu:UmQq4EfNXhyxgB@rabbit/vhost",
    secret: "UmQq4EfNXhyxgB",
  },
  {
    detector: "URL_PASSWORD",
    text: "ftp://l6vx58:W3cxa_Wj22KvJKS_7a@files.example.org/pub",
    secret: "W3cxa_Wj22KvJKS_7a",
  },
  {
    detector: "URL_PASSWORD",
    text: '"dsn": "postgres://hscypg:KOCeQ5cD@db.internal:5432/app"',
    secret: "KOCeQ5cD",
  },
  { detector: "URL_PASSWORD", text: "DATABASE_URL=mysql://2oso04:8GQd%^Db@db1/prod", secret: "8GQd%^Db" },
  {
    detector: "URL_PASSWORD",
    text: "connect to redis://os2zsp:R4SFZu6Lb66B@cache:6379",
    secret: "R4SFZu6Lb66B",
  },
  {
    detector: "URL_PASSWORD",
    text: "https://rjgzky:fnuJcLM$q@git.example.com/org/repo.git",
    secret: "fnuJcLM$q",
  },
  {
    detector: "URL_PASSWORD",
    text: '"dsn": "mongodb+srv://10g04e:iEoyQ_aq60P@cluster0.example.net/test"',
    secret: "iEoyQ_aq60P",
  },
  {
    detector: "URL_PASSWORD",
    text: "DATABASE_URL=amqp://mtohux:oY8cVoLrK*E2G9sUT6^@rabbit/vhost",
    secret: "oY8cVoLrK*E2G9sUT6^",
  },
  {
    detector: "URL_PASSWORD",
    text: "connect to ftp://xowx7i:DzeEeJY26aXL^a@files.example.org/pub",
    secret: "DzeEeJY26aXL^a",
  },
  {
    detector: "URL_PASSWORD",
    text: "postgres://wzj9gr:B4vNMutM%ARv~kXJkIk@db.internal:5432/app",
    secret: "B4vNMutM%ARv~kXJkIk",
  },
  {
    detector: "URL_PASSWORD",
    text: '"dsn": "mysql://5nogbu:B!rc8!Y*50$F5hV@db1/prod"',
    secret: "B!rc8!Y*50$F5hV",
  },
  {
    detector: "URL_PASSWORD",
    text: "DATABASE_URL=redis://80b0nm:BjrenNS!PIf@cache:6379",
    secret: "BjrenNS!PIf",
  },
  {
    detector: "URL_PASSWORD",
    text: "connect to https://rvdgf3:yu**eDmq6ZpAFjbH@git.example.com/org/repo.git",
    secret: "yu**eDmq6ZpAFjbH",
  },
  {
    detector: "URL_PASSWORD",
    text: "mongodb+srv://dmalej:AHiRoGk9@cluster0.example.net/test",
    secret: "AHiRoGk9",
  },
  {
    detector: "URL_PASSWORD",
    text: '"dsn": "amqp://jlxjus:PnPRAerCB0IykvP8LB@rabbit/vhost"',
    secret: "PnPRAerCB0IykvP8LB",
  },
  {
    detector: "URL_PASSWORD",
    text: "DATABASE_URL=ftp://2mc3hu:yIXRJnz%NeF@files.example.org/pub",
    secret: "yIXRJnz%NeF",
  },
  {
    detector: "URL_PASSWORD",
    text: "connect to postgres://gczyas:3klSfYeyLNu%cYsRkM@db.internal:5432/app",
    secret: "3klSfYeyLNu%cYsRkM",
  },
  {
    detector: "URL_PASSWORD",
    text: "mysql://gtrwni:8p*pErcTqJZxX*%vRj@db1/prod",
    secret: "8p*pErcTqJZxX*%vRj",
  },
  { detector: "URL_PASSWORD", text: '"dsn": "redis://j7y78u:dHgNjO*DT@cache:6379"', secret: "dHgNjO*DT" },
  {
    detector: "URL_PASSWORD",
    text: "DATABASE_URL=https://4hkujh:sMYwZ%Zuj~0WH_y$b@git.example.com/org/repo.git",
    secret: "sMYwZ%Zuj~0WH_y$b",
  },
  {
    detector: "URL_PASSWORD",
    text: "connect to mongodb+srv://dteqhg:C%Wh~hcJdZN@cluster0.example.net/test",
    secret: "C%Wh~hcJdZN",
  },
  { detector: "URL_PASSWORD", text: "amqp://zwzfws:oe_Q8rM9CoMm@rabbit/vhost", secret: "oe_Q8rM9CoMm" },
  {
    detector: "URL_PASSWORD",
    text: '"dsn": "ftp://5ccxkj:crD_Xx3YpV@files.example.org/pub"',
    secret: "crD_Xx3YpV",
  },
  {
    detector: "URL_PASSWORD",
    text: "DATABASE_URL=postgres://12kjak:$DWVWROeFDVCFP9_y@db.internal:5432/app",
    secret: "$DWVWROeFDVCFP9_y",
  },
  { detector: "URL_PASSWORD", text: "connect to mysql://nh9iuj:hoSzof4g@db1/prod", secret: "hoSzof4g" },
  {
    detector: "URL_PASSWORD",
    text: "redis://zyve8p:EBQsM^vxOcdpyV6RwMl@cache:6379",
    secret: "EBQsM^vxOcdpyV6RwMl",
  },
  {
    detector: "URL_PASSWORD",
    text: '"dsn": "https://ayw3yp:78mkBjzCJSw2fixK@git.example.com/org/repo.git"',
    secret: "78mkBjzCJSw2fixK",
  },
  { detector: "URL_PASSWORD", text: "https://user@host.example.com" },
  { detector: "URL_PASSWORD", text: "http://host:8080/path" },
  { detector: "URL_PASSWORD", text: "postgres://user:${DB_PASSWORD}@db" },
  { detector: "URL_PASSWORD", text: "https://example.com/?q=a" },
  { detector: "URL_PASSWORD", text: "ftp://anonymous:@files.example.org" },
  { detector: "URL_PASSWORD", text: "redis://:@localhost" },
  { detector: "URL_PASSWORD", text: "https://example.com:443/x" },
  { detector: "URL_PASSWORD", text: "postgres://user:<password>@db" },
  { detector: "URL_PASSWORD", text: "http://[::1]:8080/" },
  { detector: "URL_PASSWORD", text: "ssh git@host" },
  { detector: "URL_PASSWORD", text: "https://example.com/path:with:colons" },
  { detector: "URL_PASSWORD", text: "http://user:@host" },
  { detector: "URL_PASSWORD", text: "s3://bucket/key:part" },
  { detector: "URL_PASSWORD", text: "https://docs.example.com/user:guide" },
  { detector: "URL_PASSWORD", text: "file:///tmp/a:b" },
  { detector: "URL_PASSWORD", text: "postgres://user:****@db" },
  { detector: "URL_PASSWORD", text: "redis://default:password@cache" },
  { detector: "URL_PASSWORD", text: "https://host/a@b" },
  { detector: "URL_PASSWORD", text: "jdbc:postgresql://db:5432/app" },
  { detector: "URL_PASSWORD", text: "http://localhost:3000" },
  { detector: "URL_PASSWORD", text: "mongodb://user:${MONGO_PW}@host" },
  { detector: "URL_PASSWORD", text: "https://a.example/x?u=1&p=2" },
  { detector: "URL_PASSWORD", text: "tel:+1" },
  { detector: "URL_PASSWORD", text: "urn:isbn:0451450523" },
  { detector: "URL_PASSWORD", text: "https://example.com/@handle" },
  { detector: "URL_PASSWORD", text: "amqp://guest@rabbit" },
  { detector: "URL_PASSWORD", text: "mysql://root:@localhost" },
  { detector: "URL_PASSWORD", text: "https://example.com/#frag:x" },
  { detector: "URL_PASSWORD", text: "wss://socket.example.com:8443/ws" },
  { detector: "URL_PASSWORD", text: "git://host/repo.git" },
  // PRIVATE_KEY: 32 positives, 30 look-alike negatives
  {
    detector: "PRIVATE_KEY",
    text: "key:\n-----BEGIN RSA PRIVATE KEY-----\n0ZBSyBy97NLRLCnTPUrkFh1Vsh7HnqltjcOBZbWDDoMz4/fPlRJ9bjgtvFlfDm4l\nhR9zmD4aoUymbd039SKY6eTbKRH8c8fmdWiqp+ZR3xQKp6owTjEc0K7DBhdoFb3O\nzhPl1XrqGuktTPbW7Y55OJqsFTx3gkUFU8FCNhnLnNXKnCnGwoZXQyS/P7WcHyYl\n-----END RSA PRIVATE KEY-----\n",
    secret:
      "-----BEGIN RSA PRIVATE KEY-----\n0ZBSyBy97NLRLCnTPUrkFh1Vsh7HnqltjcOBZbWDDoMz4/fPlRJ9bjgtvFlfDm4l\nhR9zmD4aoUymbd039SKY6eTbKRH8c8fmdWiqp+ZR3xQKp6owTjEc0K7DBhdoFb3O\nzhPl1XrqGuktTPbW7Y55OJqsFTx3gkUFU8FCNhnLnNXKnCnGwoZXQyS/P7WcHyYl\n-----END RSA PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "-----BEGIN PRIVATE KEY-----\n5Q2w3mD5sGA8hZVRpFtd8Z3MqO9PwvXDVKDb1eZ8CaAbaV6LeAnhKvKdJBTst5oU\nBsBg6MIMCjyl92lcNADuzrlgo3R1bq6fylDi3XzeNkx73AEnGnG+ttzU2jItUM3O\nzH49ZAM0ykjdsBHdpwCc9ppMXnkm42OmoLlO6EOcFw+KXTWni3lixoGhfKyQULU/\n1UqzRIJFtbSsyn/1OhjYbLf2ndP2sW26dP/lmkOnvpbXWFPMBdbw7/7cSVdgHaTS\nJXDRzs3ruvh6K9ptvqkftzEC4qObprlZopTsTqEXa7YPIeJmsOQ0QKfB2DA8cWkd\neYSoBnv4xcR9fWuyU0A0aMFZSjHyoy+IGksTOslsS81HBKi1BlkRIbw/iBeulT2q\nzOhnP+1taf5gvgm5Ub+kWG/FtLSu1cvdXs9iTpq3th2Tv6mlYg2PzGmscSBxYAuV\nZwDJSE5VU60n2jZqJf7h7fNwNZrljTQ0UGN/HZU7uJeug/jEZIMJbeVZPjR+4wZq\n-----END PRIVATE KEY-----",
    secret:
      "-----BEGIN PRIVATE KEY-----\n5Q2w3mD5sGA8hZVRpFtd8Z3MqO9PwvXDVKDb1eZ8CaAbaV6LeAnhKvKdJBTst5oU\nBsBg6MIMCjyl92lcNADuzrlgo3R1bq6fylDi3XzeNkx73AEnGnG+ttzU2jItUM3O\nzH49ZAM0ykjdsBHdpwCc9ppMXnkm42OmoLlO6EOcFw+KXTWni3lixoGhfKyQULU/\n1UqzRIJFtbSsyn/1OhjYbLf2ndP2sW26dP/lmkOnvpbXWFPMBdbw7/7cSVdgHaTS\nJXDRzs3ruvh6K9ptvqkftzEC4qObprlZopTsTqEXa7YPIeJmsOQ0QKfB2DA8cWkd\neYSoBnv4xcR9fWuyU0A0aMFZSjHyoy+IGksTOslsS81HBKi1BlkRIbw/iBeulT2q\nzOhnP+1taf5gvgm5Ub+kWG/FtLSu1cvdXs9iTpq3th2Tv6mlYg2PzGmscSBxYAuV\nZwDJSE5VU60n2jZqJf7h7fNwNZrljTQ0UGN/HZU7uJeug/jEZIMJbeVZPjR+4wZq\n-----END PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: '"private_key": "-----BEGIN EC PRIVATE KEY-----\nsLXsenoZa8x5suZR8J3NUmhjj7igVgh7jPJ2nfq/izkD2Bq9HVygOlzwadzdcUpd\neOvvhygk6zGAmwSHlFMTPlte7/GvvcFjAvIPwJkB9oHEBkHZ1tYrO/3O3ctVfmhL\nVrWZtSWYbGeMuNh7VTYjvP1vhibVrvsfqjUftvjq51VK0k8Rky4ta9tUbtCh2U41\nRe7nmeZjAqU9vtsFA3w/8rZRrPxfrBAreFjAzj0zQKWBET5+E5iKElpXpNk/CWSY\nm4SO9PMDMlE0a8WvQQv44GKIqqtooOgts7Oh4YDumL/5sdeC+f+GmAsOT9UHoeKU\n5H4E5WfE7cf2d4rHXtOOQCkTj1myYViy84uBHBYxRhlM1XUdA3a7BgSxuE65Li/X\nW4XkBfwBQRlHbDsC6IgjrgdwEsPyeevg3bF5AHdEmVq+7l6uUKyF9kqrC3Avuo5j\nxjXeFPhxU3VEVm2L2Q/TpoE2AJZ0jKELSVfJa18GPCR29eNLOEHJSLLcSL1JJ8dl\n7jw23fWW7hfpPeGiHHAjyRNYc94P5JTKW8OoVQhFGgM0c83Ufgc8qeQltNaRIS7x\nngq7chAGP7rmB9U7SBejqzAFnqVd1rWEwFQU317vOOHL87R2vjT1Jmje2Q/LlUY/\n-----END EC PRIVATE KEY-----"',
    secret:
      "-----BEGIN EC PRIVATE KEY-----\nsLXsenoZa8x5suZR8J3NUmhjj7igVgh7jPJ2nfq/izkD2Bq9HVygOlzwadzdcUpd\neOvvhygk6zGAmwSHlFMTPlte7/GvvcFjAvIPwJkB9oHEBkHZ1tYrO/3O3ctVfmhL\nVrWZtSWYbGeMuNh7VTYjvP1vhibVrvsfqjUftvjq51VK0k8Rky4ta9tUbtCh2U41\nRe7nmeZjAqU9vtsFA3w/8rZRrPxfrBAreFjAzj0zQKWBET5+E5iKElpXpNk/CWSY\nm4SO9PMDMlE0a8WvQQv44GKIqqtooOgts7Oh4YDumL/5sdeC+f+GmAsOT9UHoeKU\n5H4E5WfE7cf2d4rHXtOOQCkTj1myYViy84uBHBYxRhlM1XUdA3a7BgSxuE65Li/X\nW4XkBfwBQRlHbDsC6IgjrgdwEsPyeevg3bF5AHdEmVq+7l6uUKyF9kqrC3Avuo5j\nxjXeFPhxU3VEVm2L2Q/TpoE2AJZ0jKELSVfJa18GPCR29eNLOEHJSLLcSL1JJ8dl\n7jw23fWW7hfpPeGiHHAjyRNYc94P5JTKW8OoVQhFGgM0c83Ufgc8qeQltNaRIS7x\nngq7chAGP7rmB9U7SBejqzAFnqVd1rWEwFQU317vOOHL87R2vjT1Jmje2Q/LlUY/\n-----END EC PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "here it is -----BEGIN OPENSSH PRIVATE KEY-----\nEDRCx7/j/eSOE4GmrcmWf5tCRJ3m4IaMf+/YK85dSl4CJvDmajQFZPcomNrgoD1W\nPLba+fVNLTtHovp9R1yRRqoaX6pZKRPMu/7ZkUvLeXAPLXIbl1PlR1vQ0bfvG/cj\nTBXtY2x8+3+pnlkwE6kFXSHRHnztWg082tVpmQKt2baY4zxQ+xLshG4XJ9yHUKJh\nQvM1jdTqhka48Bo28ATIcibWjw7D7EBk66ugI8GOD+c/xR/HIEOzufhONQ6lWEJl\nydj6D6xFB6Xl9ciwruaoIGxnGSQn39pQJRKJT3XPUuWevyOTRxIcdkxwjBMbIw1Y\nJnCm8UAK6A60Y0tqB1wZpM25WQ9Pfizh9Xw5xmUFEZVXXIP3pR2168v+G5QX7rgL\n9IwAeKPY5gFkStMJ5jFYN3t2ajwevnX/5+acKTAnAkhSRB/0C0aj/Cu8WPvEfXNu\n-----END OPENSSH PRIVATE KEY----- thanks",
    secret:
      "-----BEGIN OPENSSH PRIVATE KEY-----\nEDRCx7/j/eSOE4GmrcmWf5tCRJ3m4IaMf+/YK85dSl4CJvDmajQFZPcomNrgoD1W\nPLba+fVNLTtHovp9R1yRRqoaX6pZKRPMu/7ZkUvLeXAPLXIbl1PlR1vQ0bfvG/cj\nTBXtY2x8+3+pnlkwE6kFXSHRHnztWg082tVpmQKt2baY4zxQ+xLshG4XJ9yHUKJh\nQvM1jdTqhka48Bo28ATIcibWjw7D7EBk66ugI8GOD+c/xR/HIEOzufhONQ6lWEJl\nydj6D6xFB6Xl9ciwruaoIGxnGSQn39pQJRKJT3XPUuWevyOTRxIcdkxwjBMbIw1Y\nJnCm8UAK6A60Y0tqB1wZpM25WQ9Pfizh9Xw5xmUFEZVXXIP3pR2168v+G5QX7rgL\n9IwAeKPY5gFkStMJ5jFYN3t2ajwevnX/5+acKTAnAkhSRB/0C0aj/Cu8WPvEfXNu\n-----END OPENSSH PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "key:\n-----BEGIN ENCRYPTED PRIVATE KEY-----\\ncm3kV1z+lO6Yf4L6VWe371TKTSP3KDZMFNgxpYBqShi/3UeeK5G2Q01Poeycv1M7\\ncuCwu8sCSp0Ch143pXOQuLUyzSLgHJyfF7YGGlenFwjirbu90lnIa176/Idy53Kl\\n9ankti3pnuc94cPFu9Nd1HJm6KIlfPtlBssfy0TZjUinIsbEIgK4VH05aDtr7gOA\\nLSxDJPOrZUJvRRLx+3X84T6Ph/5tuhq4ilm33oP2kK6EhIs2r7UQYNMcd2qCod/K\\n4RWRBD6t7PppU2tpxoC9bEI5cQKjfhnh97Bgw5pOWCg0D6jngzjc6IYmkbA+BiWJ\\naDHN19YmLIHKc4usZRAnKDVZVt/P7PslhC10XijHkEzasJLICrJQeu3vZGORno30\\n-----END ENCRYPTED PRIVATE KEY-----\n",
    secret:
      "-----BEGIN ENCRYPTED PRIVATE KEY-----\\ncm3kV1z+lO6Yf4L6VWe371TKTSP3KDZMFNgxpYBqShi/3UeeK5G2Q01Poeycv1M7\\ncuCwu8sCSp0Ch143pXOQuLUyzSLgHJyfF7YGGlenFwjirbu90lnIa176/Idy53Kl\\n9ankti3pnuc94cPFu9Nd1HJm6KIlfPtlBssfy0TZjUinIsbEIgK4VH05aDtr7gOA\\nLSxDJPOrZUJvRRLx+3X84T6Ph/5tuhq4ilm33oP2kK6EhIs2r7UQYNMcd2qCod/K\\n4RWRBD6t7PppU2tpxoC9bEI5cQKjfhnh97Bgw5pOWCg0D6jngzjc6IYmkbA+BiWJ\\naDHN19YmLIHKc4usZRAnKDVZVt/P7PslhC10XijHkEzasJLICrJQeu3vZGORno30\\n-----END ENCRYPTED PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "-----BEGIN DSA PRIVATE KEY-----\nHt0GyNtUY9Fmni/fQQZCHia9MLCMD1nbgnv27AeX3ZeHA+g8CtXQK74ksrpJzH4u\nxl526/mMNfuH77/oltQybI+UgENcNc4dU6ahmGr2xSzDAv6qe+SoEiwwvRcYnNH3\n1CjpZKjExVqnl9ciHr377FyxABJ1o7g9xio1giQbv3MOBjFMLAPvCQW4gGvinxx6\n4UwwcizX0Ai2cGsJ+xDyv/kuKskfUTDuHbBdDIJdt4oEDKBTui813sjQnYUURfSa\n-----END DSA PRIVATE KEY-----",
    secret:
      "-----BEGIN DSA PRIVATE KEY-----\nHt0GyNtUY9Fmni/fQQZCHia9MLCMD1nbgnv27AeX3ZeHA+g8CtXQK74ksrpJzH4u\nxl526/mMNfuH77/oltQybI+UgENcNc4dU6ahmGr2xSzDAv6qe+SoEiwwvRcYnNH3\n1CjpZKjExVqnl9ciHr377FyxABJ1o7g9xio1giQbv3MOBjFMLAPvCQW4gGvinxx6\n4UwwcizX0Ai2cGsJ+xDyv/kuKskfUTDuHbBdDIJdt4oEDKBTui813sjQnYUURfSa\n-----END DSA PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: '"private_key": "-----BEGIN PGP PRIVATE KEY BLOCK-----\n012u0xH7A1qsZjIxyAA7V4rscBy3EFtBfgwuqq3BhrzGGQqrA6T2BnJVtNbYSWoi\nPvPyHclk2LvF/vyxolyOZtuqC7NdJXBzdsnP+yKPdBEKZnRj3rBGFEn/HtMFCWSb\n+Ts3A4VPxHeUX1QZw/jO4VP3S1kpvmHKwLYobOwSTTYcKp1jc2kzcErEwegbMzWa\n5joSOKJ6FvhuChe/msov298xHIDem6VB2Y38ra1VJR3SQfKn0G7mbl+4WE+AWAXk\niJwQf7VhLHHnp5NfulviSQ9cbNhbmkRcefiePUFMD7T9J8DOqew3njE95CW/DXjY\nhywXmwKSes4leXnDlw+dYPgvDKE8ZP0ELMhqwy0NtCYIOlcpZ7vsrJ9/YhJlcI0D\nhB0qBjZ2B4HaNzDIvMbEzoDW5moaUNT5fZIItu/4cAQTSq5of2pbRRWUUdX7Yu4c\n5IbVtOP6zQSL0Bki54n0KzNZVnIszIj+N5QRGVdfB9BfGTolparDbAvlsw74vrv3\n4KnfycoGqoAy+jGP41CZAsJy95THPTDCUViMG9AGXCOQ4toiD5/8SD+Zk+qxY7i2\nW4zpBiFsUDxUSYnalIKqO8UHdnJApb0Xr1PJ1U53k1KdYlPsES9B24c96E/ehvyp\nnkcHFoe6L40PX5/Waovew7b+7I2UNSEk8TbCol6nhS9Ldf1I+5I009p0BxgjjZty\nxWSwKFeM2e0BjRn+MeuUYTfXM1di9+xPdn8Qx2bTNxXbuQeKI61sHWZ5SquJCkVC\n-----END PGP PRIVATE KEY BLOCK-----"',
    secret:
      "-----BEGIN PGP PRIVATE KEY BLOCK-----\n012u0xH7A1qsZjIxyAA7V4rscBy3EFtBfgwuqq3BhrzGGQqrA6T2BnJVtNbYSWoi\nPvPyHclk2LvF/vyxolyOZtuqC7NdJXBzdsnP+yKPdBEKZnRj3rBGFEn/HtMFCWSb\n+Ts3A4VPxHeUX1QZw/jO4VP3S1kpvmHKwLYobOwSTTYcKp1jc2kzcErEwegbMzWa\n5joSOKJ6FvhuChe/msov298xHIDem6VB2Y38ra1VJR3SQfKn0G7mbl+4WE+AWAXk\niJwQf7VhLHHnp5NfulviSQ9cbNhbmkRcefiePUFMD7T9J8DOqew3njE95CW/DXjY\nhywXmwKSes4leXnDlw+dYPgvDKE8ZP0ELMhqwy0NtCYIOlcpZ7vsrJ9/YhJlcI0D\nhB0qBjZ2B4HaNzDIvMbEzoDW5moaUNT5fZIItu/4cAQTSq5of2pbRRWUUdX7Yu4c\n5IbVtOP6zQSL0Bki54n0KzNZVnIszIj+N5QRGVdfB9BfGTolparDbAvlsw74vrv3\n4KnfycoGqoAy+jGP41CZAsJy95THPTDCUViMG9AGXCOQ4toiD5/8SD+Zk+qxY7i2\nW4zpBiFsUDxUSYnalIKqO8UHdnJApb0Xr1PJ1U53k1KdYlPsES9B24c96E/ehvyp\nnkcHFoe6L40PX5/Waovew7b+7I2UNSEk8TbCol6nhS9Ldf1I+5I009p0BxgjjZty\nxWSwKFeM2e0BjRn+MeuUYTfXM1di9+xPdn8Qx2bTNxXbuQeKI61sHWZ5SquJCkVC\n-----END PGP PRIVATE KEY BLOCK-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "here it is -----BEGIN RSA PRIVATE KEY-----\nVS6BfEnoLH/L4eSBX7QCSD9ScSL0hB9uw/lUuy2VN6lGRN+ODgA1ztuonmKrkRvK\nRBCkjxQ3jFY3PvF63NIjCoGoF7LyopayUntiNgztRJvtubXmAZC7oMiU2hDW8jWn\ndhzxpkr7cr8EMWqV+hwBaRvG679RiHQyNuw/4B48vli6OSygQpcDLwwUcS97yWjm\n6OaGPtZlu0aJzgoH5okX0jjJaE42devFwhV+ILCWDF1Wv+hcAaXGsc1NIZ9nZ19b\nihDu1exypUh0aro3gCngkE5yGqG0UCh7FthDcngOBYCDko1EdX2pWdh/K0FiqWIk\nPOAcKHHK/sWSDfHSGXXJHmLY42M1xFyd7YN4Mzne+RZkfe67+adCc8XVS9H33F6H\nd3i2iSy0ENwC809GoqCBXXm87p7iRfD0bvjVoUMeJKP91h3Q8eTyWUAZwMPz+9h8\nY0VR7aspT5wWDR4bz1RLA0M4xbA36D21xhWHD0W3V3kv2bqV7HhP6ZOcNVpTqMn9 thanks",
    secret:
      "-----BEGIN RSA PRIVATE KEY-----\nVS6BfEnoLH/L4eSBX7QCSD9ScSL0hB9uw/lUuy2VN6lGRN+ODgA1ztuonmKrkRvK\nRBCkjxQ3jFY3PvF63NIjCoGoF7LyopayUntiNgztRJvtubXmAZC7oMiU2hDW8jWn\ndhzxpkr7cr8EMWqV+hwBaRvG679RiHQyNuw/4B48vli6OSygQpcDLwwUcS97yWjm\n6OaGPtZlu0aJzgoH5okX0jjJaE42devFwhV+ILCWDF1Wv+hcAaXGsc1NIZ9nZ19b\nihDu1exypUh0aro3gCngkE5yGqG0UCh7FthDcngOBYCDko1EdX2pWdh/K0FiqWIk\nPOAcKHHK/sWSDfHSGXXJHmLY42M1xFyd7YN4Mzne+RZkfe67+adCc8XVS9H33F6H\nd3i2iSy0ENwC809GoqCBXXm87p7iRfD0bvjVoUMeJKP91h3Q8eTyWUAZwMPz+9h8\nY0VR7aspT5wWDR4bz1RLA0M4xbA36D21xhWHD0W3V3kv2bqV7HhP6ZOcNVpTqMn9",
  },
  {
    detector: "PRIVATE_KEY",
    text: "key:\n-----BEGIN PRIVATE KEY-----\nrBrDXav1CkVFITCOg5F41jiLJbfKRjWanqqALKHhxxLy+k8OHSnVtCQrThkfcReg\nQHhH1aZUBgKc2dQOFofdYoRMldhlA9GHfBW55erFYZQMjKCPvko604PQ6CcNxEGe\n46o3V/xUZ4jvEAvYuxlQ35cJmKuDVk1wD32hUy+ND3Di4oeuloJI0jou5xYh6vqV\nDZkwiqFQX0dz73D2p/qT7S3+H5A+DUHga+g1ZQNDlCBeA/cfU1mnBf+5JS9Xn1d/\nAhDjBEHFYSUXxrLomgulAlRs49eEuF7hS/9eMgS7UG9WQXzjYJn9/iJXoRev1esv\nCAOmcFP4Lw0CLsQfov22pDQwxYXvoIEfrR5yQxZRqlwcdZlfj4ia+iImiRK3So5Q\nLhmSLCheQXfsPobyJQIH+1RhM6oBw/lWcHEhbvETL1GNRaJ3M63ZwKacPh7RAagq\nOGCD/LoyvE/ZpYOwdoBkd6IOu7w+RKblsGdgOHaJonbhv+JJCN9ssgO4SpSsGh5F\nPEIBxqeAf7iu7rMf6r9RwRFVshMlUgRK2tPUTG2uDpSDcg9MpYckFprwI9GsOJ6x\n8mOsQ0KJsnN0CcZ1rcg1Bze0UNkz59/guR1qLI5+DcxzU16yRwVp7zkXldhppavc\nJdkJkZ1k9TttjgCqgP3H8GGs9S6JPz7Oy/qWCFng56aVOXM44LXvtVv5pzdwq6rC\n-----END PRIVATE KEY-----\n",
    secret:
      "-----BEGIN PRIVATE KEY-----\nrBrDXav1CkVFITCOg5F41jiLJbfKRjWanqqALKHhxxLy+k8OHSnVtCQrThkfcReg\nQHhH1aZUBgKc2dQOFofdYoRMldhlA9GHfBW55erFYZQMjKCPvko604PQ6CcNxEGe\n46o3V/xUZ4jvEAvYuxlQ35cJmKuDVk1wD32hUy+ND3Di4oeuloJI0jou5xYh6vqV\nDZkwiqFQX0dz73D2p/qT7S3+H5A+DUHga+g1ZQNDlCBeA/cfU1mnBf+5JS9Xn1d/\nAhDjBEHFYSUXxrLomgulAlRs49eEuF7hS/9eMgS7UG9WQXzjYJn9/iJXoRev1esv\nCAOmcFP4Lw0CLsQfov22pDQwxYXvoIEfrR5yQxZRqlwcdZlfj4ia+iImiRK3So5Q\nLhmSLCheQXfsPobyJQIH+1RhM6oBw/lWcHEhbvETL1GNRaJ3M63ZwKacPh7RAagq\nOGCD/LoyvE/ZpYOwdoBkd6IOu7w+RKblsGdgOHaJonbhv+JJCN9ssgO4SpSsGh5F\nPEIBxqeAf7iu7rMf6r9RwRFVshMlUgRK2tPUTG2uDpSDcg9MpYckFprwI9GsOJ6x\n8mOsQ0KJsnN0CcZ1rcg1Bze0UNkz59/guR1qLI5+DcxzU16yRwVp7zkXldhppavc\nJdkJkZ1k9TttjgCqgP3H8GGs9S6JPz7Oy/qWCFng56aVOXM44LXvtVv5pzdwq6rC\n-----END PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "-----BEGIN EC PRIVATE KEY-----\\nk+IUKTDMVROvglA/Xb24KPx53jwxcb7lMVt4Wc4qPXm73K9tszyF8hrrGIIcNXWY\\nf+Xc8r66fUlXpBk30cKCnr6Wv4tegXdg0SECgPLyVgo+nXzCma3lDtav32DkWp9n\\nQ0Bs8poXu0s3GSYefo5mM6TC8xwT8O3OjFeBiza873WfgTQmF/EmoNWkSU9xNKWh\\nlSpqJdTCBl2qH5g9S7pxOIhSaA/r3frThkvRsnlNcLMAPOISB/94gAc0Hh7lIbr7\\nOyUoc/Py+4OguRLII6G8ZZIBHi15SJgCdlhc2KH49YZgPjef5o5ZfYPuhTSG+wfB\\nvkFlcMi1nupJZyHkEt2zRaUokjSvWMEVQWcdMquRKOeerjHbY06VJavIJc0igcFD\\nz7RhQdP2LIsSR7iHDXdkvPkHr4NDvUEvhyGDgEx51JNKyBZoX1jphehDC44abm01\\n-----END EC PRIVATE KEY-----",
    secret:
      "-----BEGIN EC PRIVATE KEY-----\\nk+IUKTDMVROvglA/Xb24KPx53jwxcb7lMVt4Wc4qPXm73K9tszyF8hrrGIIcNXWY\\nf+Xc8r66fUlXpBk30cKCnr6Wv4tegXdg0SECgPLyVgo+nXzCma3lDtav32DkWp9n\\nQ0Bs8poXu0s3GSYefo5mM6TC8xwT8O3OjFeBiza873WfgTQmF/EmoNWkSU9xNKWh\\nlSpqJdTCBl2qH5g9S7pxOIhSaA/r3frThkvRsnlNcLMAPOISB/94gAc0Hh7lIbr7\\nOyUoc/Py+4OguRLII6G8ZZIBHi15SJgCdlhc2KH49YZgPjef5o5ZfYPuhTSG+wfB\\nvkFlcMi1nupJZyHkEt2zRaUokjSvWMEVQWcdMquRKOeerjHbY06VJavIJc0igcFD\\nz7RhQdP2LIsSR7iHDXdkvPkHr4NDvUEvhyGDgEx51JNKyBZoX1jphehDC44abm01\\n-----END EC PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: '"private_key": "-----BEGIN OPENSSH PRIVATE KEY-----\nQHb2p6jYlh6sChawGsDCjmRe32HuU29wQSni9A0ZEUhAfJkLCJ/2m3Zxh0JuSDQy\n1LGbok0AXrCDBagY1Bbd8ZoLXa3CsVLxW9z9d98/ksHMYmStH5adsxeyC7R3S+uu\nToOzN2T2Ep/8uFSkWgUbZi6IBxnFxd4lpeqWaKvCAzC3qrm/TYrWtCwbPhjYgxtP\n/0ApFcpsnYNk4sUORvRuzYnOiPJOYn72/Raf0Lqm/HJGAQ54wKt1HPiT29WV2p28\ngwZ+W96i7rBO5nYseDp6RGmCf7Y1U4xm4pcL7TRKBQFYJVmORQeO52EqUrnPWJC7\nUwm0Afyx3VlcpvzBfCGmRMbaZq55tstX5WSTcnOpUrcE+HI0Rk5jeMtuBpqoPAW2\nl+waQatHtNJFLbVgK5m/lgazJ4uWwufsQ0IsqOFnQpTdhG5ynjLmnKLWaJsqeRhz\nn0JKWy48LZThB4NRW+OHFVoq6HrUsW9yuGyQO6shOhmkE22a+oITXFpzo/CzRp1L\nRApVvZD3sjeJNmJrfw8/NN6e2w5hGVSZGn9nM0Y6js28OKOd2Uf2/yP5dg4OK2TP\nv5iD+ACDzHp2ptmmphrHsiDOjUen0XJtQjrjANh8KHwWw23trNtPwpG0UH9IGWIR\n-----END OPENSSH PRIVATE KEY-----"',
    secret:
      "-----BEGIN OPENSSH PRIVATE KEY-----\nQHb2p6jYlh6sChawGsDCjmRe32HuU29wQSni9A0ZEUhAfJkLCJ/2m3Zxh0JuSDQy\n1LGbok0AXrCDBagY1Bbd8ZoLXa3CsVLxW9z9d98/ksHMYmStH5adsxeyC7R3S+uu\nToOzN2T2Ep/8uFSkWgUbZi6IBxnFxd4lpeqWaKvCAzC3qrm/TYrWtCwbPhjYgxtP\n/0ApFcpsnYNk4sUORvRuzYnOiPJOYn72/Raf0Lqm/HJGAQ54wKt1HPiT29WV2p28\ngwZ+W96i7rBO5nYseDp6RGmCf7Y1U4xm4pcL7TRKBQFYJVmORQeO52EqUrnPWJC7\nUwm0Afyx3VlcpvzBfCGmRMbaZq55tstX5WSTcnOpUrcE+HI0Rk5jeMtuBpqoPAW2\nl+waQatHtNJFLbVgK5m/lgazJ4uWwufsQ0IsqOFnQpTdhG5ynjLmnKLWaJsqeRhz\nn0JKWy48LZThB4NRW+OHFVoq6HrUsW9yuGyQO6shOhmkE22a+oITXFpzo/CzRp1L\nRApVvZD3sjeJNmJrfw8/NN6e2w5hGVSZGn9nM0Y6js28OKOd2Uf2/yP5dg4OK2TP\nv5iD+ACDzHp2ptmmphrHsiDOjUen0XJtQjrjANh8KHwWw23trNtPwpG0UH9IGWIR\n-----END OPENSSH PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "here it is -----BEGIN ENCRYPTED PRIVATE KEY-----\nh8OpVShUB3dGe/qfCxjlCB8ltXtkAvkuWD1Ww3x8A+X7ENL8vrfk3n5IbQXd87E7\nGFOkqvLNGVVWsNEPQ+aXELig1GjWVBjAykZfd3pazEbOIBRV8TA/fQMxacigB/zd\nd7LnF6pMA6/v7YdH3zY87cAlMHutES4v4i4Zn/yBU8MAWtnJsXVh5ViYtVIR6SP6\nlcBJqCHADZEU9pkj3yvCy8qCCAdy597COx5WzcaRaVFhDyC4vhVDYdSP3N58lioN\nrG6zYtk21iE40MStf2sQQAqt9JavNSJoEAxPwPY7nFnF+2y8HdqKJD1XWxgKCUWj\n/hjA+dKclHq617J7vV2Fq0UIs61jGlAtHcuY2zDkzYAagDiD83d74foLOEqS6/5Y\n5D5IkmRHh4opMLrFol4ruz33cyqopbJI5qUShukFI2Kiw9V08miTVdQ/qFxbzFSy\nyMeiCS+Kwha9n7UlWIwym4u74hpv5XykI0ycP1RsGnCYSycIe5L0umpRu4M8Tev6\nLA9kC+bhYHN5FeGetv0SAD1xBoXtoDoHeQVbBJk0LyXHpb0CoohcXTT8/AfWr0ff\nbM/0KeEd7tZ/Kfa3kEXcu/gTpCyHun3OIjhdRX6dSaSWgB2tci09zgoxVF+DNm70\n7oD57mgEjLUJmj9sPsJeB7Rw56Ot+/UQpBwYnf0LDj7+c31Rraakzetmxo/2KG2z\n-----END ENCRYPTED PRIVATE KEY----- thanks",
    secret:
      "-----BEGIN ENCRYPTED PRIVATE KEY-----\nh8OpVShUB3dGe/qfCxjlCB8ltXtkAvkuWD1Ww3x8A+X7ENL8vrfk3n5IbQXd87E7\nGFOkqvLNGVVWsNEPQ+aXELig1GjWVBjAykZfd3pazEbOIBRV8TA/fQMxacigB/zd\nd7LnF6pMA6/v7YdH3zY87cAlMHutES4v4i4Zn/yBU8MAWtnJsXVh5ViYtVIR6SP6\nlcBJqCHADZEU9pkj3yvCy8qCCAdy597COx5WzcaRaVFhDyC4vhVDYdSP3N58lioN\nrG6zYtk21iE40MStf2sQQAqt9JavNSJoEAxPwPY7nFnF+2y8HdqKJD1XWxgKCUWj\n/hjA+dKclHq617J7vV2Fq0UIs61jGlAtHcuY2zDkzYAagDiD83d74foLOEqS6/5Y\n5D5IkmRHh4opMLrFol4ruz33cyqopbJI5qUShukFI2Kiw9V08miTVdQ/qFxbzFSy\nyMeiCS+Kwha9n7UlWIwym4u74hpv5XykI0ycP1RsGnCYSycIe5L0umpRu4M8Tev6\nLA9kC+bhYHN5FeGetv0SAD1xBoXtoDoHeQVbBJk0LyXHpb0CoohcXTT8/AfWr0ff\nbM/0KeEd7tZ/Kfa3kEXcu/gTpCyHun3OIjhdRX6dSaSWgB2tci09zgoxVF+DNm70\n7oD57mgEjLUJmj9sPsJeB7Rw56Ot+/UQpBwYnf0LDj7+c31Rraakzetmxo/2KG2z\n-----END ENCRYPTED PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "key:\n-----BEGIN DSA PRIVATE KEY-----\nBQushdcRsEasfM0dFCvdlLvjF8SbgNZK/1EacjMFPWrUXOr5fp1pja4FMVcZrEqK\nTABK25JzcxXOwUwD2bluDlN258VcSiI7XmcZYIE8dbghw6hZfwx3ziTeoW8pzz9S\niDvsA/IauBbdETAC2x9mH3CMyvgCo6V6V3KH6zOl+66hk9qv7QoKCPrKneaSwJcA\nVk5e5O2ol993tb/WNfZYTPNhkdDdZSzBZQaZ5YB8mlZVoyIxKH4dQff+G78RR5D2\nWeXP4LImrBODulyMrnf6XXjCGStHexArLdQV98HnhDWAidRZye8KJnRTZxvyoBsQ\nE4M1Iptu/ULv7K1eU7qR/Aj7e0DtjJKPVxeA5ZGuVhQmz4XwmWI7mXvjk3J/89zq\n-----END DSA PRIVATE KEY-----\n",
    secret:
      "-----BEGIN DSA PRIVATE KEY-----\nBQushdcRsEasfM0dFCvdlLvjF8SbgNZK/1EacjMFPWrUXOr5fp1pja4FMVcZrEqK\nTABK25JzcxXOwUwD2bluDlN258VcSiI7XmcZYIE8dbghw6hZfwx3ziTeoW8pzz9S\niDvsA/IauBbdETAC2x9mH3CMyvgCo6V6V3KH6zOl+66hk9qv7QoKCPrKneaSwJcA\nVk5e5O2ol993tb/WNfZYTPNhkdDdZSzBZQaZ5YB8mlZVoyIxKH4dQff+G78RR5D2\nWeXP4LImrBODulyMrnf6XXjCGStHexArLdQV98HnhDWAidRZye8KJnRTZxvyoBsQ\nE4M1Iptu/ULv7K1eU7qR/Aj7e0DtjJKPVxeA5ZGuVhQmz4XwmWI7mXvjk3J/89zq\n-----END DSA PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "-----BEGIN PGP PRIVATE KEY BLOCK-----\nm7tq+3+VRnSyAc9bgB5ucEYmdlySucHyP1girMWFCSOUdhQ7I+iuMQB3pxbWRrCd\n6Oz0MleuSK5c7xgIovPwDAVHOB54Q/sSDe1SEtNDmjSzGJ9Com/FxaC5or+O3TDI\nj6E4eTIUtw4baygEdoOA2rh3C3xqusZzj+mcgsUt6QpDQyJteE2IthkY433N3gcw\nj1ikipocBSv/u0u5ErH2yg8qGtuf2UsW/4ZAKXOgIwkksRMykmnkQ3eDu0lgdgNf\nt7Tf9au+2CSE1ZTz1pf7AmLRAaYuEQ8qOa/51eDRSnHgiooxOvZKCOdxxdeS9STw\nY4abqduiSJVuSx/RA6tlbxmkYQ0Y104uoYcu7Tg2PMiu3YPWWWKiBOBd0S28DUOp\nqqcE5yeFU2M8FovAV/MpOcd3V9TTuYICRE8piVBPrHHUaAvsXCqbciODd2c5yFCZ\n41yblciMdSta7wP/i7jvXRYSDG6yqnms9YUBzHR38QU5of/k9SoceSmtBVvu6Jay\nSXBogoehDBMy4btQdieP8y5mmDWj+CaliBwN6NC+oH5vSjrKsUdhO+YePWay8/7B\nykucT/DVhJkwVUQVPGhZK1m4H7HSowre2QOVNRKqNbxMbOipD47/hKX9q+lGcn+1\nlLYzAdwvXV85hXM+7yCaao74p48lhl3f+GeoXA7nSMICFDa8zGqvgSypMlxU+a9e\niypUdNi+xU1LF20/KgJNaP1nMSQshyGGFJ9cHrDKqSKgJGaXmeNkNsqL+6JtC+9Q\n-----END PGP PRIVATE KEY BLOCK-----",
    secret:
      "-----BEGIN PGP PRIVATE KEY BLOCK-----\nm7tq+3+VRnSyAc9bgB5ucEYmdlySucHyP1girMWFCSOUdhQ7I+iuMQB3pxbWRrCd\n6Oz0MleuSK5c7xgIovPwDAVHOB54Q/sSDe1SEtNDmjSzGJ9Com/FxaC5or+O3TDI\nj6E4eTIUtw4baygEdoOA2rh3C3xqusZzj+mcgsUt6QpDQyJteE2IthkY433N3gcw\nj1ikipocBSv/u0u5ErH2yg8qGtuf2UsW/4ZAKXOgIwkksRMykmnkQ3eDu0lgdgNf\nt7Tf9au+2CSE1ZTz1pf7AmLRAaYuEQ8qOa/51eDRSnHgiooxOvZKCOdxxdeS9STw\nY4abqduiSJVuSx/RA6tlbxmkYQ0Y104uoYcu7Tg2PMiu3YPWWWKiBOBd0S28DUOp\nqqcE5yeFU2M8FovAV/MpOcd3V9TTuYICRE8piVBPrHHUaAvsXCqbciODd2c5yFCZ\n41yblciMdSta7wP/i7jvXRYSDG6yqnms9YUBzHR38QU5of/k9SoceSmtBVvu6Jay\nSXBogoehDBMy4btQdieP8y5mmDWj+CaliBwN6NC+oH5vSjrKsUdhO+YePWay8/7B\nykucT/DVhJkwVUQVPGhZK1m4H7HSowre2QOVNRKqNbxMbOipD47/hKX9q+lGcn+1\nlLYzAdwvXV85hXM+7yCaao74p48lhl3f+GeoXA7nSMICFDa8zGqvgSypMlxU+a9e\niypUdNi+xU1LF20/KgJNaP1nMSQshyGGFJ9cHrDKqSKgJGaXmeNkNsqL+6JtC+9Q\n-----END PGP PRIVATE KEY BLOCK-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: '"private_key": "-----BEGIN RSA PRIVATE KEY-----\\n7MYQhVkpWoyfANWmsX35kcZvgntMBRTycEr7+kEkYNHXpJ//mm7nXAsyslhyGISz\\n6y0J5YacgyW8BmRWtWIZqWqiDJUS9mXEg2ZjTb7XoIsjueJDrJR3wJD/mdESYoCg\\njiWI4wZM9Kvt5axbpUsen4kXZsrjMQcn0h5zZoL0q4TNJY9cFGXMzKx4+bfQMjuT\\nLnj6YJBJi9TzQO9JvdIbrf4Ob5+DDApWazQtBEZE8MrQdRts2Q9JVbp4NvqIyD0Y\\nUpa1M5T2c+RLZ7KXYzhnibSCs72asgPNNgHzThS/wvR244exfuMRSSGXbvR6Gl/C\\n-----END RSA PRIVATE KEY-----"',
    secret:
      "-----BEGIN RSA PRIVATE KEY-----\\n7MYQhVkpWoyfANWmsX35kcZvgntMBRTycEr7+kEkYNHXpJ//mm7nXAsyslhyGISz\\n6y0J5YacgyW8BmRWtWIZqWqiDJUS9mXEg2ZjTb7XoIsjueJDrJR3wJD/mdESYoCg\\njiWI4wZM9Kvt5axbpUsen4kXZsrjMQcn0h5zZoL0q4TNJY9cFGXMzKx4+bfQMjuT\\nLnj6YJBJi9TzQO9JvdIbrf4Ob5+DDApWazQtBEZE8MrQdRts2Q9JVbp4NvqIyD0Y\\nUpa1M5T2c+RLZ7KXYzhnibSCs72asgPNNgHzThS/wvR244exfuMRSSGXbvR6Gl/C\\n-----END RSA PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "here it is -----BEGIN PRIVATE KEY-----\nRQC9RIgaCRj7FGav1pwr0qAZOJqhoxRViWeosPp8TZjfeeAUiXUVS+f02JQ5BLhk\nuluLQM6W9gypwlthwNmJvbcEdU2yFHnee/HVXYADA7r52DR9j3LzfSPFzlaInmNr\n0bHOx/bhSLvSj8w03ZsGLxga7Ug9WquRSsKZESv3IX0LwsNl+JMknHwSGRkmhMcO\naT273lRtWHA0m2ALQBIr9f9lrac5U9UFsRu4W/4RStWs01oqfrTNtWQ+aUShpqqs\ntpaMGZ/CBO6Aa6S3PpHXderlN9JydgS4hFMKqqqXIn6cDX+u7Apb7Z/0DL4cEc39\nVFlCKCUNFhD0dh3TCiBMjPlwY9cqSlzuSFnH4/AZpjZA1nD6L98HkEmWAGxzy/gz thanks",
    secret:
      "-----BEGIN PRIVATE KEY-----\nRQC9RIgaCRj7FGav1pwr0qAZOJqhoxRViWeosPp8TZjfeeAUiXUVS+f02JQ5BLhk\nuluLQM6W9gypwlthwNmJvbcEdU2yFHnee/HVXYADA7r52DR9j3LzfSPFzlaInmNr\n0bHOx/bhSLvSj8w03ZsGLxga7Ug9WquRSsKZESv3IX0LwsNl+JMknHwSGRkmhMcO\naT273lRtWHA0m2ALQBIr9f9lrac5U9UFsRu4W/4RStWs01oqfrTNtWQ+aUShpqqs\ntpaMGZ/CBO6Aa6S3PpHXderlN9JydgS4hFMKqqqXIn6cDX+u7Apb7Z/0DL4cEc39\nVFlCKCUNFhD0dh3TCiBMjPlwY9cqSlzuSFnH4/AZpjZA1nD6L98HkEmWAGxzy/gz",
  },
  {
    detector: "PRIVATE_KEY",
    text: "key:\n-----BEGIN EC PRIVATE KEY-----\nuX3sRJ8OJNI+65D/uLbm36jdravfMwr6CdjXiwSNOaSL/gMr7d8AkbP8MxXt38rV\n5fSySNpb/THIfSZhHxji7gx06Hk4e3Y977wDI5XVrYZgpUpfbA6Km9nfRxTqvaq9\nJFFVlU9yrXP1+ygc6h9hlorfCkKbO0l5RQO91DvIX0RU8HMxqtI1vybrjz4iN1kk\nZlAyyktaquA3nsb9AHsn4GIgNXuEDC0PP44tTE39Rhy1KgSHOFRu3u4clb7KS+on\nDRYA+lyOKghNRWexGd4ihtRDFqw2pdlpS2NwXntRN8axzF/xS6kOttxjqmcl8eBG\nOjUw4RA+4JBvx1kjTHSAfWqIc2vyKpn62HtacchPM9BvTNRLttWqjfjOtQ/wamC7\n-----END EC PRIVATE KEY-----\n",
    secret:
      "-----BEGIN EC PRIVATE KEY-----\nuX3sRJ8OJNI+65D/uLbm36jdravfMwr6CdjXiwSNOaSL/gMr7d8AkbP8MxXt38rV\n5fSySNpb/THIfSZhHxji7gx06Hk4e3Y977wDI5XVrYZgpUpfbA6Km9nfRxTqvaq9\nJFFVlU9yrXP1+ygc6h9hlorfCkKbO0l5RQO91DvIX0RU8HMxqtI1vybrjz4iN1kk\nZlAyyktaquA3nsb9AHsn4GIgNXuEDC0PP44tTE39Rhy1KgSHOFRu3u4clb7KS+on\nDRYA+lyOKghNRWexGd4ihtRDFqw2pdlpS2NwXntRN8axzF/xS6kOttxjqmcl8eBG\nOjUw4RA+4JBvx1kjTHSAfWqIc2vyKpn62HtacchPM9BvTNRLttWqjfjOtQ/wamC7\n-----END EC PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "-----BEGIN OPENSSH PRIVATE KEY-----\nW4me3x4vjTVI8vuJOJaWzLoKB1qO9MD9ucV13NAIKBesA035x8JhbvSNzo3KsRbE\nqKmGaN/Ve9sMfFRIsD5z46B4m7ixOng1sAjGycfy9WEZI+0pXYhy7MP947OU7Nqh\nAakojkz5PAK2yy455tkmSjVd444A6EWa71C+2tbuiit0TqdEPERAKfCd/Jlp7/vb\n97QzoBvrdwwp6MtKHi17CxvhuyWT/GGCt4k9I+Pnul3PJ/XZlMeDgvAeHw85JTsS\ni83GRRKERMvpFnzlTJyHAmRvXBQQqIp8CCHjtgiagkjqoR9vQafDDab5UqGxdnMQ\n3RpcpXrAY4jOWgydSVGh3u1ykK4jCs7M7LAYiZUFMOEXBFAWjXCjONslg24sEpKJ\nYM2iV+RjNJi1g9l7TA2q6FRLaenLzMVqakrUuwR0Yx+TT7OyXIK0uSsxgxqG6Ioz\nKJQWXxk16S20qwuvr6ETktsL4NrFQzDK+AAo24pIZMwBjkWhAFbCUBTYm4dtUcq2\n-----END OPENSSH PRIVATE KEY-----",
    secret:
      "-----BEGIN OPENSSH PRIVATE KEY-----\nW4me3x4vjTVI8vuJOJaWzLoKB1qO9MD9ucV13NAIKBesA035x8JhbvSNzo3KsRbE\nqKmGaN/Ve9sMfFRIsD5z46B4m7ixOng1sAjGycfy9WEZI+0pXYhy7MP947OU7Nqh\nAakojkz5PAK2yy455tkmSjVd444A6EWa71C+2tbuiit0TqdEPERAKfCd/Jlp7/vb\n97QzoBvrdwwp6MtKHi17CxvhuyWT/GGCt4k9I+Pnul3PJ/XZlMeDgvAeHw85JTsS\ni83GRRKERMvpFnzlTJyHAmRvXBQQqIp8CCHjtgiagkjqoR9vQafDDab5UqGxdnMQ\n3RpcpXrAY4jOWgydSVGh3u1ykK4jCs7M7LAYiZUFMOEXBFAWjXCjONslg24sEpKJ\nYM2iV+RjNJi1g9l7TA2q6FRLaenLzMVqakrUuwR0Yx+TT7OyXIK0uSsxgxqG6Ioz\nKJQWXxk16S20qwuvr6ETktsL4NrFQzDK+AAo24pIZMwBjkWhAFbCUBTYm4dtUcq2\n-----END OPENSSH PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: '"private_key": "-----BEGIN ENCRYPTED PRIVATE KEY-----\nPwxvgPHE5SPY0AVDglqsmjzdeive57Uiw1mUpcQQwAQNdaghizbBp75lDhkyhBx8\nHINNMFkaLzqLjKgKZdiNbtbZY7IcfG09pJgi45rFSyoiDxf7GOWjv6bINbPF+d8m\nb4lAlabzsT0d4ztuN/nHci7MAUrVh5675+F31CeI6IzqIIpgWAPtYBn3Wk/ZpKs4\nqESbf6Qi+5rIGoDF283g2x4ebfRZ3gLyaFxwJs/EdMm7GERQwEs/iECFlRryPA2n\nI5Xs+4vkCARKy36d9gAmXPaN93qTANyjAJNEyzitA7frp5bT50wReaRsgGfzxI+w\nQaizd8jD7fGHy7loLX2NEb/hudFjCUgYwrQsvXyQPqv5MpgMR6Yg1aN9k6qd1s+W\n6KtldLtGh6KbwBzeF4hBy4B7Fk29K4JcC+E3a0dyPC5P3Pe75U+OE61sgu01fJ2V\nSBM1ZkXGHxzMKbIrstJlSBdO6H+VHYqZhLhNU0RgsDRA1QlCCl9CTtiFCWuWgVgl\nI/httFbp/RMuvBnXTOaGXbddzj43XlMZ66/ickkZ7Ln9p4yCjLV6ffFV+hVLsIzP\n-----END ENCRYPTED PRIVATE KEY-----"',
    secret:
      "-----BEGIN ENCRYPTED PRIVATE KEY-----\nPwxvgPHE5SPY0AVDglqsmjzdeive57Uiw1mUpcQQwAQNdaghizbBp75lDhkyhBx8\nHINNMFkaLzqLjKgKZdiNbtbZY7IcfG09pJgi45rFSyoiDxf7GOWjv6bINbPF+d8m\nb4lAlabzsT0d4ztuN/nHci7MAUrVh5675+F31CeI6IzqIIpgWAPtYBn3Wk/ZpKs4\nqESbf6Qi+5rIGoDF283g2x4ebfRZ3gLyaFxwJs/EdMm7GERQwEs/iECFlRryPA2n\nI5Xs+4vkCARKy36d9gAmXPaN93qTANyjAJNEyzitA7frp5bT50wReaRsgGfzxI+w\nQaizd8jD7fGHy7loLX2NEb/hudFjCUgYwrQsvXyQPqv5MpgMR6Yg1aN9k6qd1s+W\n6KtldLtGh6KbwBzeF4hBy4B7Fk29K4JcC+E3a0dyPC5P3Pe75U+OE61sgu01fJ2V\nSBM1ZkXGHxzMKbIrstJlSBdO6H+VHYqZhLhNU0RgsDRA1QlCCl9CTtiFCWuWgVgl\nI/httFbp/RMuvBnXTOaGXbddzj43XlMZ66/ickkZ7Ln9p4yCjLV6ffFV+hVLsIzP\n-----END ENCRYPTED PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "here it is -----BEGIN DSA PRIVATE KEY-----\\nWsiszflWy57Vq/bJz770OO9cnq19d8jA5pjQQ+XFaZd9iCocUc5+/sZ6sfUpkW7j\\n8RFjQXVm/GN7/ttQXJRfwtJ49RWkm1SH+1ythTTcfm0DaGssSszed6/heUQ83EMD\\nU2T1n8ikz0bNMSbSegO7xQWhnLHz5Ap+OhonwLQenYB6KuyBS7P3SQn8MO1DTymG\\ns50geCrlfGTyTStFrIX0sl8Yzg9GniRuFIf6ai4RJBW9FqxfyGyEgV+ZjKykhOYq\\nJEoB7+RCiJ+XnID4dcqu2FOt1W2tyc5B69TLtJFOvzT2qUQ++A3r6iSbL9NOu0dI\\nlBYdFECM0/+NGaWK8ysVbIEQl30WbFkDBWRT7fPBtO9tclV0F8iudk1K05KY3EXi\\nIHSfNUy55iurfqxc8d8zrNT8KddyKTAUPJP7Ckz5HkyBIXA6NL0Zwq1Dj8DQ29Mp\\ndNBWjdsg3HnJxwy3W0x7DUotDKJoxKlBwHAMoRyh/L0O94YVj12OWoCpWQjGLqrb\\nlY1JgbwtwbUEasZjggNGvfuDtXrE10m4JhHCauvnfhH4b27kiW+8sCydLmO+Q7Dt\\nqlM8McbLBeH10MPqqDtdxXCnuN/y+g3mOMr1aqFmDJX6LOxpo4brDlz+iw6dZcrc\\n-----END DSA PRIVATE KEY----- thanks",
    secret:
      "-----BEGIN DSA PRIVATE KEY-----\\nWsiszflWy57Vq/bJz770OO9cnq19d8jA5pjQQ+XFaZd9iCocUc5+/sZ6sfUpkW7j\\n8RFjQXVm/GN7/ttQXJRfwtJ49RWkm1SH+1ythTTcfm0DaGssSszed6/heUQ83EMD\\nU2T1n8ikz0bNMSbSegO7xQWhnLHz5Ap+OhonwLQenYB6KuyBS7P3SQn8MO1DTymG\\ns50geCrlfGTyTStFrIX0sl8Yzg9GniRuFIf6ai4RJBW9FqxfyGyEgV+ZjKykhOYq\\nJEoB7+RCiJ+XnID4dcqu2FOt1W2tyc5B69TLtJFOvzT2qUQ++A3r6iSbL9NOu0dI\\nlBYdFECM0/+NGaWK8ysVbIEQl30WbFkDBWRT7fPBtO9tclV0F8iudk1K05KY3EXi\\nIHSfNUy55iurfqxc8d8zrNT8KddyKTAUPJP7Ckz5HkyBIXA6NL0Zwq1Dj8DQ29Mp\\ndNBWjdsg3HnJxwy3W0x7DUotDKJoxKlBwHAMoRyh/L0O94YVj12OWoCpWQjGLqrb\\nlY1JgbwtwbUEasZjggNGvfuDtXrE10m4JhHCauvnfhH4b27kiW+8sCydLmO+Q7Dt\\nqlM8McbLBeH10MPqqDtdxXCnuN/y+g3mOMr1aqFmDJX6LOxpo4brDlz+iw6dZcrc\\n-----END DSA PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "key:\n-----BEGIN PGP PRIVATE KEY BLOCK-----\nT27Eg/OZLDpKs+gkpPQDW7LUmOYrGKYsTM4WDYxa33wM+lNPEjPs6Wock14qglxG\nAMyM/4aL5H4jfP13nBwXKL0v8HkytZll9gn5l8Hu8CkSuqkhNWAJgTyImzVGMoZu\nOeeYFKKjbOjZs8QcQBlSg924eY9yA6Drwk7K8VuRnxZl1CKiYYwws2QnZi5DhMw7\nquaE1uaU7KA79hPKJ8m1LNS6JWqSdTxnOzQNEQ33ITBi57xjOfQFIjyJtUtyp1+6\nT4N+gZbklLv1sVPulmJXZlFIY+0TEBgL5/IA1NBEnsQIXHtv38HSE5JdLJ0hinKJ\nfW0mdkne5+IgpGkUtOYN8T0evd/Gn/NAQ6bNTizSUHmKdmywjODOZB9fVWgJg98b\noa6qYfraQdz1CGL4JGu0UvWf8rZBNbI3G5EyZ9ZoDCZ7ZGEv50YE7rmctNkGF1ll\nBWA401SF3AlbaLnR9PNaBayTsCLiKUxCUTTRNsbEb0E+PDO/BQvrFgwitJ6T3Jro\nk8+9D5NSr5aT34Uxj+Lv14zNazXhFOwkkTwGecKaMzmNT9i+ZANTLA3N0K4ygr0j\nuX2mf792jdbHfX+cN9VW5y483zUecuMG18MBMl6Khv9Es51QGJH83sLcho4zg3os\n3BanPxsj5CyU7s3l23F+yBHaRhhjCiI9J3Xtbg5gFMN4DO2SUDn60HwCQYRJtIh8\n-----END PGP PRIVATE KEY BLOCK-----\n",
    secret:
      "-----BEGIN PGP PRIVATE KEY BLOCK-----\nT27Eg/OZLDpKs+gkpPQDW7LUmOYrGKYsTM4WDYxa33wM+lNPEjPs6Wock14qglxG\nAMyM/4aL5H4jfP13nBwXKL0v8HkytZll9gn5l8Hu8CkSuqkhNWAJgTyImzVGMoZu\nOeeYFKKjbOjZs8QcQBlSg924eY9yA6Drwk7K8VuRnxZl1CKiYYwws2QnZi5DhMw7\nquaE1uaU7KA79hPKJ8m1LNS6JWqSdTxnOzQNEQ33ITBi57xjOfQFIjyJtUtyp1+6\nT4N+gZbklLv1sVPulmJXZlFIY+0TEBgL5/IA1NBEnsQIXHtv38HSE5JdLJ0hinKJ\nfW0mdkne5+IgpGkUtOYN8T0evd/Gn/NAQ6bNTizSUHmKdmywjODOZB9fVWgJg98b\noa6qYfraQdz1CGL4JGu0UvWf8rZBNbI3G5EyZ9ZoDCZ7ZGEv50YE7rmctNkGF1ll\nBWA401SF3AlbaLnR9PNaBayTsCLiKUxCUTTRNsbEb0E+PDO/BQvrFgwitJ6T3Jro\nk8+9D5NSr5aT34Uxj+Lv14zNazXhFOwkkTwGecKaMzmNT9i+ZANTLA3N0K4ygr0j\nuX2mf792jdbHfX+cN9VW5y483zUecuMG18MBMl6Khv9Es51QGJH83sLcho4zg3os\n3BanPxsj5CyU7s3l23F+yBHaRhhjCiI9J3Xtbg5gFMN4DO2SUDn60HwCQYRJtIh8\n-----END PGP PRIVATE KEY BLOCK-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "-----BEGIN RSA PRIVATE KEY-----\nrFqsgpvVWGXQGWn+v9fLZSSoITLcKIeCnZLcOjgAkXjpIFeD33Yds35TBgROxSLd\nrKdYIJE8xdNKxNUZnNr8cKz3qQmtAljnoIgmvNET2v/UtruT4WJrbEVCE2qNbCau\n4MTI6jr7y/3u1xtQJscfkJiOEhC/yb0hkIZiRl1bXx77G17+pAhkINORS0fIKbsd\nwXAsQeynZSGgAHDDmJjaUFPic+0S368PcMHdmmvcEKmyvg5CJJdJtLb1sT875u3E\nmmQ3O8yCrln7OfdD00lSVeFsUXp8unvmyupkzSsAcUtN33gcnR54BwTpp3Pg1+M9\nJqiYdEEW6wTPdYS4gOtMCO1Y0Jrfj7pvTsO6LdCoBqrZj5rWyelTWTSyWa7YTZUT\nKorU8xS0d/Ep+ehbr8WLEUa44QoKd3q+C4Sig1vGzuYbzV6FIZC1vQGEskumGHYV\nTGz+7hsAfXAXFxd0Ka2OphdZKdNqjDljEPQUxidGDnahZZflphwt2l1CGmTtgeFx\ne3LmHVQUODL5Nw+wYvLBQ6n1x1FLswPYcpjRZ955O6vunopKcAn5NbuOEbDFr3vQ\n7jugPB27k3zE0zD1cxlRajkrEKRnu8SDZSaPbQeUMGvbt4GNcoXBzZ8/WfzGzsu5\nVt9PoH/tLFOJlmeacicyUidFJIKtUeGCN+t8jMSs4IsXu1Cg3Ho3g6HlmNATf62g\nY+/9/4scLufdXQzpNrMb9QQdCaXMZ5ucZ8xcp/GgvrJ+BWA2A6kJrFrFtNKFwHOs\n-----END RSA PRIVATE KEY-----",
    secret:
      "-----BEGIN RSA PRIVATE KEY-----\nrFqsgpvVWGXQGWn+v9fLZSSoITLcKIeCnZLcOjgAkXjpIFeD33Yds35TBgROxSLd\nrKdYIJE8xdNKxNUZnNr8cKz3qQmtAljnoIgmvNET2v/UtruT4WJrbEVCE2qNbCau\n4MTI6jr7y/3u1xtQJscfkJiOEhC/yb0hkIZiRl1bXx77G17+pAhkINORS0fIKbsd\nwXAsQeynZSGgAHDDmJjaUFPic+0S368PcMHdmmvcEKmyvg5CJJdJtLb1sT875u3E\nmmQ3O8yCrln7OfdD00lSVeFsUXp8unvmyupkzSsAcUtN33gcnR54BwTpp3Pg1+M9\nJqiYdEEW6wTPdYS4gOtMCO1Y0Jrfj7pvTsO6LdCoBqrZj5rWyelTWTSyWa7YTZUT\nKorU8xS0d/Ep+ehbr8WLEUa44QoKd3q+C4Sig1vGzuYbzV6FIZC1vQGEskumGHYV\nTGz+7hsAfXAXFxd0Ka2OphdZKdNqjDljEPQUxidGDnahZZflphwt2l1CGmTtgeFx\ne3LmHVQUODL5Nw+wYvLBQ6n1x1FLswPYcpjRZ955O6vunopKcAn5NbuOEbDFr3vQ\n7jugPB27k3zE0zD1cxlRajkrEKRnu8SDZSaPbQeUMGvbt4GNcoXBzZ8/WfzGzsu5\nVt9PoH/tLFOJlmeacicyUidFJIKtUeGCN+t8jMSs4IsXu1Cg3Ho3g6HlmNATf62g\nY+/9/4scLufdXQzpNrMb9QQdCaXMZ5ucZ8xcp/GgvrJ+BWA2A6kJrFrFtNKFwHOs\n-----END RSA PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: '"private_key": "-----BEGIN PRIVATE KEY-----\nOcugYCcpD7EOu7NZ5ni+jRDikZtXcpYg1OMT//lq7BTyKIpWHYjhl3HMp1vT/Tmj\nPpwknWu0bkFnXcOuAerzjXL3iEO9ESZbvBW+chbWLKUJiJh6BmW9/otnSn8dTcBZ\nxppnZpV+1uNgw8U0Jh9rf0lPwVKgqt5Dha76H7VmZApmlu8g6hP5upMdgTOPXQ3H\n-----END PRIVATE KEY-----"',
    secret:
      "-----BEGIN PRIVATE KEY-----\nOcugYCcpD7EOu7NZ5ni+jRDikZtXcpYg1OMT//lq7BTyKIpWHYjhl3HMp1vT/Tmj\nPpwknWu0bkFnXcOuAerzjXL3iEO9ESZbvBW+chbWLKUJiJh6BmW9/otnSn8dTcBZ\nxppnZpV+1uNgw8U0Jh9rf0lPwVKgqt5Dha76H7VmZApmlu8g6hP5upMdgTOPXQ3H\n-----END PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "here it is -----BEGIN EC PRIVATE KEY-----\nPd1e1uLqLgD7/Kymv44RlPzUvMKLc5Lai2TQ/ek300pCeARrCuFcUsE0E4/kqGB8\nzzbPyVP4Vf/2JTzz5fPeQ1+h4Wx3QQvZLSns3FLv6vMhLo/3IdsPeJjHnnEpWYqY\nawjKBGXRrTkcXB6N73ai16UGlfkffd8jHXFlon1fM0woc6XFYuvDqOzcPi2bmmSs\nR/3IFx3AUGQoqJxQeaaSnqFF+0pD/YwRsRohWQ9bbxDGRJuuwZVBbzLNxMRE4Bgw\nsIIg+RrItyoQ9MWOgSeavJmfSpYlY5hnMnwXBJ5ERe4Zm1QsZuXiNlcQ35jTpVWY\nyLLWWpOJOGCgcqcudQht1dx0jOBC4gBldtAsJNdZdx/nRy0cOmNnoTKCq0Cce3Lp\nVYLBVWuuJHVdswKssCVp5GEGZZJb2FGex0IzOu1MhO2QuiRFbhf/AazRh8MVm6pa\nkdutZjOAI396AFPIviXo70DGiF2rMd8dyl7BKEi618FOG4/s4BzWr6rljDLdNhLe thanks",
    secret:
      "-----BEGIN EC PRIVATE KEY-----\nPd1e1uLqLgD7/Kymv44RlPzUvMKLc5Lai2TQ/ek300pCeARrCuFcUsE0E4/kqGB8\nzzbPyVP4Vf/2JTzz5fPeQ1+h4Wx3QQvZLSns3FLv6vMhLo/3IdsPeJjHnnEpWYqY\nawjKBGXRrTkcXB6N73ai16UGlfkffd8jHXFlon1fM0woc6XFYuvDqOzcPi2bmmSs\nR/3IFx3AUGQoqJxQeaaSnqFF+0pD/YwRsRohWQ9bbxDGRJuuwZVBbzLNxMRE4Bgw\nsIIg+RrItyoQ9MWOgSeavJmfSpYlY5hnMnwXBJ5ERe4Zm1QsZuXiNlcQ35jTpVWY\nyLLWWpOJOGCgcqcudQht1dx0jOBC4gBldtAsJNdZdx/nRy0cOmNnoTKCq0Cce3Lp\nVYLBVWuuJHVdswKssCVp5GEGZZJb2FGex0IzOu1MhO2QuiRFbhf/AazRh8MVm6pa\nkdutZjOAI396AFPIviXo70DGiF2rMd8dyl7BKEi618FOG4/s4BzWr6rljDLdNhLe",
  },
  {
    detector: "PRIVATE_KEY",
    text: "key:\n-----BEGIN OPENSSH PRIVATE KEY-----\\nGN1jHflKQe/Kn48AneXEN7diu7J6/JC/22LBslVkA6v2BIi7Jo0Supq54e3BMr7e\\ne5LQrbFQiOt/zAF+K3iCA7mg3IGY6kkraS0aVUjQg02v9+jjNSVXxo2k/I9kgN6E\\nPHrFiW2qLvqz1FBjS0dtETaSTHj1OfSJX6xVQukOCHXL8ubSZffPdLyi8et0ygSF\\nkXQafN7f1VYhluS4A6WFtVw+pdwn0aNQ0nefRgQbFLyOedwqBNkMiuRxouX0dcs7\\nPyiKzrF/jJW5dvBcr/qQcsXncgATcLXtb+f8NG5FPfiaEHXnFVaKCx+yjuebelF2\\ncgQ8n9SgainV2h4Tp2fwc1kHp4J1Vgt6ipYWoFoFjecJr2SM5y8lKn0w7D9+F9Bh\\n3Y1XwoDwdryBDJ/GqDbKER7/M16yjTFYhmuYtveAUi7sbyJQSJHHb9L13yW+KRa5\\n-----END OPENSSH PRIVATE KEY-----\n",
    secret:
      "-----BEGIN OPENSSH PRIVATE KEY-----\\nGN1jHflKQe/Kn48AneXEN7diu7J6/JC/22LBslVkA6v2BIi7Jo0Supq54e3BMr7e\\ne5LQrbFQiOt/zAF+K3iCA7mg3IGY6kkraS0aVUjQg02v9+jjNSVXxo2k/I9kgN6E\\nPHrFiW2qLvqz1FBjS0dtETaSTHj1OfSJX6xVQukOCHXL8ubSZffPdLyi8et0ygSF\\nkXQafN7f1VYhluS4A6WFtVw+pdwn0aNQ0nefRgQbFLyOedwqBNkMiuRxouX0dcs7\\nPyiKzrF/jJW5dvBcr/qQcsXncgATcLXtb+f8NG5FPfiaEHXnFVaKCx+yjuebelF2\\ncgQ8n9SgainV2h4Tp2fwc1kHp4J1Vgt6ipYWoFoFjecJr2SM5y8lKn0w7D9+F9Bh\\n3Y1XwoDwdryBDJ/GqDbKER7/M16yjTFYhmuYtveAUi7sbyJQSJHHb9L13yW+KRa5\\n-----END OPENSSH PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "-----BEGIN ENCRYPTED PRIVATE KEY-----\nuR/6iPr2hSBPBPHM25wPI3NIzLd9u0yoj/jJb9/VIThlmetI37h+dL6KXYJRZ0oR\nsKSKJAmDjjdKTikPvImZopSL66rdDm/78QoTvd6frwtpJGofqHFc/U37q1/LcDjs\nZi1yToxcwrF9qkA17lFmXfNKCp3f7t9GBdBgw+1QgQQzpfSWSORFA2PuDZ/KrblV\n5fxcWmBvO0kgW7alxgFJUYk6nW8Qhpuaxc0qC9e8UtiHvN6ZjIuivCXnUmb0cg7q\nRIhB8BVclYyaFompbB/L0sjkmJb/ogrOekWOxGBA1wxmbIiS6BIEJlM1nLSZXGKU\n-----END ENCRYPTED PRIVATE KEY-----",
    secret:
      "-----BEGIN ENCRYPTED PRIVATE KEY-----\nuR/6iPr2hSBPBPHM25wPI3NIzLd9u0yoj/jJb9/VIThlmetI37h+dL6KXYJRZ0oR\nsKSKJAmDjjdKTikPvImZopSL66rdDm/78QoTvd6frwtpJGofqHFc/U37q1/LcDjs\nZi1yToxcwrF9qkA17lFmXfNKCp3f7t9GBdBgw+1QgQQzpfSWSORFA2PuDZ/KrblV\n5fxcWmBvO0kgW7alxgFJUYk6nW8Qhpuaxc0qC9e8UtiHvN6ZjIuivCXnUmb0cg7q\nRIhB8BVclYyaFompbB/L0sjkmJb/ogrOekWOxGBA1wxmbIiS6BIEJlM1nLSZXGKU\n-----END ENCRYPTED PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: '"private_key": "-----BEGIN DSA PRIVATE KEY-----\nucb6YftaHLwnIZHDyajyYHQywPRaPVsOuMcjZiHRtm24HrWhrRyrPGV1IzYzPJR/\nytimpG28E9iMuF6qCLOuHbkMoRweWM07ObXKPHdnU11BtYfbdPxDSLgD7yqykL/X\ncFhmJSorgBS877EHip/LLLpZdlScoP6FvHkE6QHydsiX10g3HbjNHbOq2yeisakZ\nI6TAqjIzYqMwRXEVAQE4iSGJpdFsSUxn7y5r2uBlvg4FP9zNDsmYZzGpUzfU4HVk\n-----END DSA PRIVATE KEY-----"',
    secret:
      "-----BEGIN DSA PRIVATE KEY-----\nucb6YftaHLwnIZHDyajyYHQywPRaPVsOuMcjZiHRtm24HrWhrRyrPGV1IzYzPJR/\nytimpG28E9iMuF6qCLOuHbkMoRweWM07ObXKPHdnU11BtYfbdPxDSLgD7yqykL/X\ncFhmJSorgBS877EHip/LLLpZdlScoP6FvHkE6QHydsiX10g3HbjNHbOq2yeisakZ\nI6TAqjIzYqMwRXEVAQE4iSGJpdFsSUxn7y5r2uBlvg4FP9zNDsmYZzGpUzfU4HVk\n-----END DSA PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "here it is -----BEGIN PGP PRIVATE KEY BLOCK-----\n6WTBS9qIDslUSLaHDz6j343CdU3BNXy8WrZKs/KNnywvjB4cAFL2JUU/fd5dCiND\n4CpCv3SAzsH912s2eDaeHkHYrMYzMwSpSYLie51HfHjVkUbj68PfPxaLNpNB+QLz\nBIt1JhQTRhxejkmJsKWBtGJXQujq6bjBVgTyveQqMHJL1BBkcA0sgHhrUleT6VJs\nzfNpqDE3wELkpitHiyLqMm3KyFTGzc6egQXT9gLdQVR0jVL8XWw0zBpYBdunfWww\neZhWNKu1IXzU//yqWNaaRWEHRczkmXWcHNyQsQlq7AErWx7C9Bw9cJwmk5UFza4Z\nMG67eZ0tThY9+dBiQhpuzV1BBqqkpiMwBgg7kp5f1uLN3LRec3YDvBkumqaDKl57\nn9Rl6l5A+ZRLnjBFdCBjSQU7iFNAHBMW2bAps9zjEvFGrPnbOD3TQIgSlQvJ9am9\n-----END PGP PRIVATE KEY BLOCK----- thanks",
    secret:
      "-----BEGIN PGP PRIVATE KEY BLOCK-----\n6WTBS9qIDslUSLaHDz6j343CdU3BNXy8WrZKs/KNnywvjB4cAFL2JUU/fd5dCiND\n4CpCv3SAzsH912s2eDaeHkHYrMYzMwSpSYLie51HfHjVkUbj68PfPxaLNpNB+QLz\nBIt1JhQTRhxejkmJsKWBtGJXQujq6bjBVgTyveQqMHJL1BBkcA0sgHhrUleT6VJs\nzfNpqDE3wELkpitHiyLqMm3KyFTGzc6egQXT9gLdQVR0jVL8XWw0zBpYBdunfWww\neZhWNKu1IXzU//yqWNaaRWEHRczkmXWcHNyQsQlq7AErWx7C9Bw9cJwmk5UFza4Z\nMG67eZ0tThY9+dBiQhpuzV1BBqqkpiMwBgg7kp5f1uLN3LRec3YDvBkumqaDKl57\nn9Rl6l5A+ZRLnjBFdCBjSQU7iFNAHBMW2bAps9zjEvFGrPnbOD3TQIgSlQvJ9am9\n-----END PGP PRIVATE KEY BLOCK-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "key:\n-----BEGIN RSA PRIVATE KEY-----\n7HA/V+SUoNVuIjIASoPqZ0u3zU3Zd7MMGmbkotyJNFOakb5+ebBhAHB2H8KKSUbc\nbeDpRXha/jVne/GF0jCMD0RjFqEUUck/jx1DOKkjuo+rSQlXNCLviV5aXqSX0W7h\noyP9LvsEzj1HwVlYDK4OT6IOjwgQUZT6GJq9k5hekmapXrwZa30BH8EqNmXKfNDs\nJZh53jzvsRHDGgAKMdzIXH309/6DNEoZZrum/Pd1B8SeQPR2s2Z+mfbarUNnlLTz\n2CQPAf4VlyAbi2egWNTH5vh51at5TtgieSw7mfMdxuObDU2fnRduAgRB2umzKPp8\nehWHdiyIRbt4QcwrG7hrvXwp4ytYVoROIi1ukqBk+BEU/Gi4tF3TCFFKlhEUIzbt\nPUF2UL3xRiqxJOO3zuG97ONGObxI1lZ8ksvQj6Fm+nQiwKu0qPWz2j/lUqRdFbmb\nFLrc906FFnTqlfJaUKt1q4xDX7+9QuK5ppG9+C2UHSk/3qvIkDi9pyZaKRFdIpYY\n8jD+Yzj+nNj91nD+Iuvplidu8D9nS+Eqd6AWqMuf6X4Hpq0U+VMBNbzFld9Umq1/\n-----END RSA PRIVATE KEY-----\n",
    secret:
      "-----BEGIN RSA PRIVATE KEY-----\n7HA/V+SUoNVuIjIASoPqZ0u3zU3Zd7MMGmbkotyJNFOakb5+ebBhAHB2H8KKSUbc\nbeDpRXha/jVne/GF0jCMD0RjFqEUUck/jx1DOKkjuo+rSQlXNCLviV5aXqSX0W7h\noyP9LvsEzj1HwVlYDK4OT6IOjwgQUZT6GJq9k5hekmapXrwZa30BH8EqNmXKfNDs\nJZh53jzvsRHDGgAKMdzIXH309/6DNEoZZrum/Pd1B8SeQPR2s2Z+mfbarUNnlLTz\n2CQPAf4VlyAbi2egWNTH5vh51at5TtgieSw7mfMdxuObDU2fnRduAgRB2umzKPp8\nehWHdiyIRbt4QcwrG7hrvXwp4ytYVoROIi1ukqBk+BEU/Gi4tF3TCFFKlhEUIzbt\nPUF2UL3xRiqxJOO3zuG97ONGObxI1lZ8ksvQj6Fm+nQiwKu0qPWz2j/lUqRdFbmb\nFLrc906FFnTqlfJaUKt1q4xDX7+9QuK5ppG9+C2UHSk/3qvIkDi9pyZaKRFdIpYY\n8jD+Yzj+nNj91nD+Iuvplidu8D9nS+Eqd6AWqMuf6X4Hpq0U+VMBNbzFld9Umq1/\n-----END RSA PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "-----BEGIN PRIVATE KEY-----\\nV5GNPn/XYX2AUtjEnSUJByFxKS0lJYSWSwqwQRKzCEn8gl/qYnsbPl6KWVQ0RsvQ\\nFmErB1HUl9edKlRXouKheRMbXs0kr523xhYce978el1RAPqDbiZZWHsYJhnGZMb4\\nCiCl2DO1cUdIZnGgzgBlQNqLhRjXKV9rShU44UvhWhCSbvvRajgPNLDE7D9oCKRi\\nF7FAhZEkWqpw1HpoW/HP3Y5tFNZ++rd/MdNu2RE6fCBAsPJDjAkgoIey8Dp/unhk\\n1H7xmgdrdadxzcbJ6is37Djjvz0k82kVHVOnfb8sgyAZ3yx55cYNyexdps8ipvxu\\nDVdZSdj4HgK1/ClaqUG4zcFAFK5G86hLIwH93nBzxsNAN70pmxW92h6ln4mBPHjm\\nLWM5HQGONZGKLg6Xpbu12SSEFHRT/MZy9ErjlICRfFBUONadhmw37XGJm46T7Efa\\n-----END PRIVATE KEY-----",
    secret:
      "-----BEGIN PRIVATE KEY-----\\nV5GNPn/XYX2AUtjEnSUJByFxKS0lJYSWSwqwQRKzCEn8gl/qYnsbPl6KWVQ0RsvQ\\nFmErB1HUl9edKlRXouKheRMbXs0kr523xhYce978el1RAPqDbiZZWHsYJhnGZMb4\\nCiCl2DO1cUdIZnGgzgBlQNqLhRjXKV9rShU44UvhWhCSbvvRajgPNLDE7D9oCKRi\\nF7FAhZEkWqpw1HpoW/HP3Y5tFNZ++rd/MdNu2RE6fCBAsPJDjAkgoIey8Dp/unhk\\n1H7xmgdrdadxzcbJ6is37Djjvz0k82kVHVOnfb8sgyAZ3yx55cYNyexdps8ipvxu\\nDVdZSdj4HgK1/ClaqUG4zcFAFK5G86hLIwH93nBzxsNAN70pmxW92h6ln4mBPHjm\\nLWM5HQGONZGKLg6Xpbu12SSEFHRT/MZy9ErjlICRfFBUONadhmw37XGJm46T7Efa\\n-----END PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: '"private_key": "-----BEGIN EC PRIVATE KEY-----\n+8B40Mho8sPx0l4nZP+j9oHR+fjV6+Fh2uhdV/uzjLERo3OM00Gg3awRBSX5eGzg\n7Q0Kyb70PG/qAZGK2EcAona84+2/Y/LBgwGUXIznFlQzi1nQLS6g8og2W8FihG2n\nuNXgPdJh58DFxfU6ZTCSD4Gmhud0x5OOwnJBae3wEe0Tp/xzkbRGsu2E+aaTxxH7\n4ol+p/3TlDhOWIYeE9AVdw1E5YRuvGMlcV24IoYajuFDOH9Hv6RBtkP26LJFjPoc\n-----END EC PRIVATE KEY-----"',
    secret:
      "-----BEGIN EC PRIVATE KEY-----\n+8B40Mho8sPx0l4nZP+j9oHR+fjV6+Fh2uhdV/uzjLERo3OM00Gg3awRBSX5eGzg\n7Q0Kyb70PG/qAZGK2EcAona84+2/Y/LBgwGUXIznFlQzi1nQLS6g8og2W8FihG2n\nuNXgPdJh58DFxfU6ZTCSD4Gmhud0x5OOwnJBae3wEe0Tp/xzkbRGsu2E+aaTxxH7\n4ol+p/3TlDhOWIYeE9AVdw1E5YRuvGMlcV24IoYajuFDOH9Hv6RBtkP26LJFjPoc\n-----END EC PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "here it is -----BEGIN OPENSSH PRIVATE KEY-----\nwVXMiurea9EGw0dmc/sW2HIgy/oxhAZz3LAxDvmDlOiy8WGqQtwGkGxk8vGAzQ/0\nPRjE4EFL+WQu80+HTwQSdmfrwR71SY2llvi9PCE2E5Xp61CWZ1pyYSntTTtnQBDz\nZtjmkxuBgdt6cteHnx0xwHLvcO0FEPjT4/whglv7xcEoYgt2DbtiToA6ApopIEsY\nqCepjK5WxhTinUIx5OFk6jf333DYZpXmlnTsbkvMwihC+1fMaATGmT7Qe4F7YzeN\nHtRARc5AnM5b4f769PLI/LIMRUMvLcMjvLtgroWJgO9824NciWPXPhA969l6ZE7x\nlYtG1LkZ9xxDxEVEDXtUSbHgxjPOlbmqdZVCTX4Z82a2aRn1gqFg4PEM/41d90wZ\ndY0nSv0oIuOhLrAUx+xLGflq0jvs6NUJu9b5QF9h4W8JAmtz45x9xn9SYr5FJZW5 thanks",
    secret:
      "-----BEGIN OPENSSH PRIVATE KEY-----\nwVXMiurea9EGw0dmc/sW2HIgy/oxhAZz3LAxDvmDlOiy8WGqQtwGkGxk8vGAzQ/0\nPRjE4EFL+WQu80+HTwQSdmfrwR71SY2llvi9PCE2E5Xp61CWZ1pyYSntTTtnQBDz\nZtjmkxuBgdt6cteHnx0xwHLvcO0FEPjT4/whglv7xcEoYgt2DbtiToA6ApopIEsY\nqCepjK5WxhTinUIx5OFk6jf333DYZpXmlnTsbkvMwihC+1fMaATGmT7Qe4F7YzeN\nHtRARc5AnM5b4f769PLI/LIMRUMvLcMjvLtgroWJgO9824NciWPXPhA969l6ZE7x\nlYtG1LkZ9xxDxEVEDXtUSbHgxjPOlbmqdZVCTX4Z82a2aRn1gqFg4PEM/41d90wZ\ndY0nSv0oIuOhLrAUx+xLGflq0jvs6NUJu9b5QF9h4W8JAmtz45x9xn9SYr5FJZW5",
  },
  {
    detector: "PRIVATE_KEY",
    text: "-----BEGIN PUBLIC KEY-----\nzrkJVPlHY7pBMGqKdvVzYLZW4tmSyhLQ5q0W9KSTSqfCKdznXBlhKzdOjgp+5qBg\nxzKAtSAQX8My7AcwLxg09AwlQuoE72OUB097tn/sYhRA+OXKaD9mGkdGlerzIcnE\nP67tHst3gt9aSSC5dwfexeCkt3BtJ+4KsWyrsUCm9MOjixc4xtOvsjuYCi8yoUL+\nSl8wn6mGeInSrAp+PIoO4HvJ8v25havBtq6D5r+WP5k+87bvg7v78Wdj0uL+RBy9\njZzVseIFL7Ijx5WAb03QEDxk44qt/ZtmZpGVFcxywgku3zBb4XlvhPO4gXH0MExs\n477ZD7TC3cQFfVP0cSh8Hya14R2+1qJgnkLJqMxnwP3hJeAy8egGUjAxqh6jbLUp\ne9hBTQkveIjwAUXczRKKVEv9jIuAN7qW/QRSahYkMOsQ+Oz6u+/OkBLy0NjI3k9k\nKHQ61CEFdAVnHCMLciknZpIK3s5cbPd8x+laRgSHGJ/sJX0AC/d40Nn3hA5UTQjk\n-----END PUBLIC KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "-----BEGIN CERTIFICATE-----\nT2SRCGI1XEQEWkVHTKK0qP+imYqJJlHguM/tKMVdQQw+ePBPKTtHKw0K7dLemAUx\nabfWGz3o/et0A+nnBmxH+BlSmDwxWpd2QV4jMHMGIgC3TXK8zasSahelhwWySilC\nAGflK/sPXGYNb3SXxQt03/w9lY2jDBfd9wNqMENXQPRRFEpPOapvJbL3xUWOktku\nhyUERbwMVWUiVE/8XJcilED3l71tZhSq5CpsrgCjbmhqXOF6CoqEP1/K7kMOzUGh\nsEjUeO5ZF3pX8wh5jvgIrDevEsvW5Rp0l24RdYKE6J1W7EpZ62Ucz9jyjbHl6SIB\n3XWk+CweRxP46NvbV6w6A4B8AY0ZunsjdhFYQ3hF7E/0wo33Zcftk6iFYCN4LxZ8\n/WOvzG2+lNBteHaaGVk2xrgd9GgPOXmd6eVPKR3LJp7sEoK3C2xEGtcv5TDUrLFR\nbQ+naDMk1GrJXQ84g66ljqfb55m6ny41F9DyxZ+xMFuBgfzHlB2p7/AoGmhM+S66\n-----END CERTIFICATE-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "-----BEGIN RSA PUBLIC KEY-----\njEHJfSbkiNfTqaaZFxcD5XZoDrs6SoAKYSsbgXNugNPx9i2L2ov+i3y0cLTG7E4y\nmMvmsC0ql8q/FrTZ0ShuBM71PNfMN4AUDigHCltsDt/eH8dxVcd+YfEHCsGfJqN1\nxH4EzyvZfvbxeep504F0ZXjFdXvYs6FF3Fbz4cFgDACI9BzjRvRLk24qbtzB32LQ\nMlekOkekErr+u29PuQheBF20WYk8Tpxkw1LhpH/w8KrGckFbgNypKLHJqUAsFdP6\nwq06YfrJnnTrtawsI3t51sXb6XNXvhzP/3zQ1R5oRNCBsx7nOJ0SmCLxRAWi4C4O\nGYHgi1kBDJwMep5HZa2BB7vQETCN0Z6ebBHPk/YkhFTxyXzxmH8jptKpLDppjASk\nG6ZJAmZuNFL5yHO5UOci3z+Be0MgxHVLdproblxIkyh51F8bi1Gc0s8nAQv90xK/\n3TvYeJEViN/JhnZMwa0AoJOMUiZVGGdt3uf/ee1W/fT582rY3emqpgJfaz5ckiKn\n-----END RSA PUBLIC KEY-----",
  },
  { detector: "PRIVATE_KEY", text: "BEGIN PRIVATE KEY" },
  { detector: "PRIVATE_KEY", text: "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----" },
  { detector: "PRIVATE_KEY", text: "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----" },
  { detector: "PRIVATE_KEY", text: "-----BEGIN PRIVATE KEY-----" },
  { detector: "PRIVATE_KEY", text: "private key goes here" },
  {
    detector: "PRIVATE_KEY",
    text: "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----",
  },
  { detector: "PRIVATE_KEY", text: "-----BEGIN PRIVATE KEY-----\n<redacted>\n-----END PRIVATE KEY-----" },
  { detector: "PRIVATE_KEY", text: "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ comment" },
  {
    detector: "PRIVATE_KEY",
    text: "-----BEGIN PGP PUBLIC KEY BLOCK-----\nmQINBF\n-----END PGP PUBLIC KEY BLOCK-----",
  },
  { detector: "PRIVATE_KEY", text: "----- BEGIN PRIVATE KEY -----" },
  {
    detector: "PRIVATE_KEY",
    text: "-----BEGIN private key-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ\n-----END private key-----",
  },
  { detector: "PRIVATE_KEY", text: "the file starts with -----BEGIN" },
  { detector: "PRIVATE_KEY", text: "PRIVATE KEY: see vault" },
  { detector: "PRIVATE_KEY", text: "-----BEGIN X509 CRL-----\nMIIB\n-----END X509 CRL-----" },
  { detector: "PRIVATE_KEY", text: "-----BEGIN PRIVATE KEY-----\n${PRIVATE_KEY}\n-----END PRIVATE KEY-----" },
  { detector: "PRIVATE_KEY", text: "-----BEGIN ENCRYPTED PRIVATE KEY-----\n****\n" },
  { detector: "PRIVATE_KEY", text: "BEGIN RSA PRIVATE KEY MIIEpAIBAAKCAQEA" },
  { detector: "PRIVATE_KEY", text: "-----END PRIVATE KEY-----" },
  {
    detector: "PRIVATE_KEY",
    text: "-----BEGIN DH PARAMETERS-----\nMIIBCAKCAQEA\n-----END DH PARAMETERS-----",
  },
  { detector: "PRIVATE_KEY", text: "key = <private key pem>" },
  { detector: "PRIVATE_KEY", text: "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----" },
  {
    detector: "PRIVATE_KEY",
    text: "----BEGIN PRIVATE KEY----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ\n----END PRIVATE KEY----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "-----BEGIN NEW CERTIFICATE REQUEST-----\nMIIC\n-----END NEW CERTIFICATE REQUEST-----",
  },
  { detector: "PRIVATE_KEY", text: "-----BEGIN PKCS7-----\nMIIB\n-----END PKCS7-----" },
  {
    detector: "PRIVATE_KEY",
    text: "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "-----BEGIN SSH2 PUBLIC KEY-----\nAAAAB3Nza\n-----END SSH2 PUBLIC KEY-----",
  },
  { detector: "PRIVATE_KEY", text: "PEM private keys are sensitive" },
  // GENERIC_SECRET: 34 positives, 30 look-alike negatives
  {
    detector: "GENERIC_SECRET",
    text: "api_key=su60PXAtakpcYnBm0lzPUBwVss3la8Fs",
    secret: "su60PXAtakpcYnBm0lzPUBwVss3la8Fs",
  },
  {
    detector: "GENERIC_SECRET",
    text: '"client_secret": "Hn9-ehFp9ShEVz3xLpnU3FkDHoo2PIOsYW9AYJWr"',
    secret: "Hn9-ehFp9ShEVz3xLpnU3FkDHoo2PIOsYW9AYJWr",
  },
  { detector: "GENERIC_SECRET", text: "password: s3cr3t-pass2", secret: "s3cr3t-pass2" },
  {
    detector: "GENERIC_SECRET",
    text: "SECRET_KEY=sG09CXEIaIX3Ta68IyKSYwZOktw9eYBRsun0WzuW9gNvIrKn",
    secret: "sG09CXEIaIX3Ta68IyKSYwZOktw9eYBRsun0WzuW9gNvIrKn",
  },
  {
    detector: "GENERIC_SECRET",
    text: "x-api-key: 5a830a0d14fa7da86c8268e74f3cab15",
    secret: "5a830a0d14fa7da86c8268e74f3cab15",
  },
  {
    detector: "GENERIC_SECRET",
    text: "refresh_token=bSznJw12CnCiFG0gv5kufCkZ&grant_type=refresh_token",
    secret: "bSznJw12CnCiFG0gv5kufCkZ",
  },
  { detector: "GENERIC_SECRET", text: "db_passwd='pw694833!'", secret: "pw694833!" },
  {
    detector: "GENERIC_SECRET",
    text: "aws_secret_access_key = rdxByZIZ9Nu70KqUOLKI1TXHLKrk8V",
    secret: "rdxByZIZ9Nu70KqUOLKI1TXHLKrk8V",
  },
  {
    detector: "GENERIC_SECRET",
    text: "api_key=TIkl7XGJVnOF8D4i9oq9dE3w6Tdm6sK5",
    secret: "TIkl7XGJVnOF8D4i9oq9dE3w6Tdm6sK5",
  },
  {
    detector: "GENERIC_SECRET",
    text: '"client_secret": "WSGidOljN-jyO7IXW_fvS8GmmkrJX9naNulkQLJf"',
    secret: "WSGidOljN-jyO7IXW_fvS8GmmkrJX9naNulkQLJf",
  },
  { detector: "GENERIC_SECRET", text: "password: s3cr3t-pass10", secret: "s3cr3t-pass10" },
  {
    detector: "GENERIC_SECRET",
    text: "SECRET_KEY=rhjfPXF5J9GCFAXnzlXJIwCxSyFTfMSTm1nWDNIVzw4Lg10E",
    secret: "rhjfPXF5J9GCFAXnzlXJIwCxSyFTfMSTm1nWDNIVzw4Lg10E",
  },
  {
    detector: "GENERIC_SECRET",
    text: "x-api-key: f26518b461f44f02c422602edfda9c72",
    secret: "f26518b461f44f02c422602edfda9c72",
  },
  {
    detector: "GENERIC_SECRET",
    text: "refresh_token=OOn3N6Tycn2N2l86nOniV5mm&grant_type=refresh_token",
    secret: "OOn3N6Tycn2N2l86nOniV5mm",
  },
  { detector: "GENERIC_SECRET", text: "db_passwd='pw854082!'", secret: "pw854082!" },
  {
    detector: "GENERIC_SECRET",
    text: "aws_secret_access_key = DiOwYqYgnR3KCKfDblygP3Z5DufsV7",
    secret: "DiOwYqYgnR3KCKfDblygP3Z5DufsV7",
  },
  {
    detector: "GENERIC_SECRET",
    text: "api_key=FoJyFWucHbh9hb2bR7wU0qVCtvaJXU69",
    secret: "FoJyFWucHbh9hb2bR7wU0qVCtvaJXU69",
  },
  {
    detector: "GENERIC_SECRET",
    text: '"client_secret": "ti135URBWukP3dq3-gRAfvYFL4GGBImDqHsZel2B"',
    secret: "ti135URBWukP3dq3-gRAfvYFL4GGBImDqHsZel2B",
  },
  {
    detector: "GENERIC_SECRET",
    text: "password: correcthorsebatterystaple18",
    secret: "correcthorsebatterystaple18",
  },
  {
    detector: "GENERIC_SECRET",
    text: "SECRET_KEY=Tb3OzdWOV9SRzCfvsoSyDe3butovqPvKQfh911DWpmRsDA7Y",
    secret: "Tb3OzdWOV9SRzCfvsoSyDe3butovqPvKQfh911DWpmRsDA7Y",
  },
  {
    detector: "GENERIC_SECRET",
    text: "x-api-key: 5dea26ce071f91ac02b2a2a6a3814e56",
    secret: "5dea26ce071f91ac02b2a2a6a3814e56",
  },
  {
    detector: "GENERIC_SECRET",
    text: "refresh_token=IgHSc7HqAHvajtjsNOK7jK08&grant_type=refresh_token",
    secret: "IgHSc7HqAHvajtjsNOK7jK08",
  },
  { detector: "GENERIC_SECRET", text: "db_passwd='pw160171!'", secret: "pw160171!" },
  {
    detector: "GENERIC_SECRET",
    text: "aws_secret_access_key = b8CxiSW81kVnCGwyOks863PONkU0RC",
    secret: "b8CxiSW81kVnCGwyOks863PONkU0RC",
  },
  {
    detector: "GENERIC_SECRET",
    text: "api_key=dj3tM28bGL43msObFFKgPyZBgiY166tA",
    secret: "dj3tM28bGL43msObFFKgPyZBgiY166tA",
  },
  {
    detector: "GENERIC_SECRET",
    text: '"client_secret": "KaE7q2nxbNkcnp5Emme7gPxxyX1sVrLtQkAXJAdv"',
    secret: "KaE7q2nxbNkcnp5Emme7gPxxyX1sVrLtQkAXJAdv",
  },
  { detector: "GENERIC_SECRET", text: "password: qwerty!23426", secret: "qwerty!23426" },
  {
    detector: "GENERIC_SECRET",
    text: "SECRET_KEY=YASMrkyfN3xhayEHkAsxcq14u5bZG8wJaGKwn6qkjs2UkbOb",
    secret: "YASMrkyfN3xhayEHkAsxcq14u5bZG8wJaGKwn6qkjs2UkbOb",
  },
  {
    detector: "GENERIC_SECRET",
    text: "x-api-key: 76ac6c71f6595f8cd8188186afac5184",
    secret: "76ac6c71f6595f8cd8188186afac5184",
  },
  {
    detector: "GENERIC_SECRET",
    text: "refresh_token=cEIdGWurUWnmf60Qj0IHI3qC&grant_type=refresh_token",
    secret: "cEIdGWurUWnmf60Qj0IHI3qC",
  },
  { detector: "GENERIC_SECRET", text: "db_passwd='pw825942!'", secret: "pw825942!" },
  {
    detector: "GENERIC_SECRET",
    text: "aws_secret_access_key = UXXbRmdM5hyCQ2NBvZOszUl7oZBMNt",
    secret: "UXXbRmdM5hyCQ2NBvZOszUl7oZBMNt",
  },
  {
    detector: "GENERIC_SECRET",
    text: "api_key=ZvVsDTyjrue1C4GgVMYvqYnwFiOa4q98",
    secret: "ZvVsDTyjrue1C4GgVMYvqYnwFiOa4q98",
  },
  {
    detector: "GENERIC_SECRET",
    text: '"client_secret": "To9Nkrk05E23qpd8AQPDbFb1azOBzvkSE4rjh3QF"',
    secret: "To9Nkrk05E23qpd8AQPDbFb1azOBzvkSE4rjh3QF",
  },
  { detector: "GENERIC_SECRET", text: "max_tokens=4096" },
  { detector: "GENERIC_SECRET", text: "api_key=YOUR_API_KEY" },
  { detector: "GENERIC_SECRET", text: "password: ********" },
  { detector: "GENERIC_SECRET", text: "token: null" },
  { detector: "GENERIC_SECRET", text: "secret=${SECRET}" },
  { detector: "GENERIC_SECRET", text: "password: must be at least 8 characters" },
  { detector: "GENERIC_SECRET", text: "tokenizer=bert-base-uncased" },
  { detector: "GENERIC_SECRET", text: '"api_key": "<redacted>"' },
  { detector: "GENERIC_SECRET", text: "token_count: 1234" },
  { detector: "GENERIC_SECRET", text: "api_key: string" },
  { detector: "GENERIC_SECRET", text: "password=" },
  { detector: "GENERIC_SECRET", text: "secret: true" },
  { detector: "GENERIC_SECRET", text: "num_tokens = 512" },
  { detector: "GENERIC_SECRET", text: "password_hint: pet name" },
  { detector: "GENERIC_SECRET", text: "secret_santa=yes" },
  { detector: "GENERIC_SECRET", text: "api_key=${OPENAI_API_KEY}" },
  { detector: "GENERIC_SECRET", text: "token=abc" },
  { detector: "GENERIC_SECRET", text: "access_key: xxxxxxxxxxxxxxxx" },
  { detector: "GENERIC_SECRET", text: "pwd: /home/user" },
  { detector: "GENERIC_SECRET", text: "password: changeme" },
  { detector: "GENERIC_SECRET", text: "secret: none" },
  { detector: "GENERIC_SECRET", text: "token = {{ vault.token }}" },
  { detector: "GENERIC_SECRET", text: "api-key: <your-key>" },
  { detector: "GENERIC_SECRET", text: "passwords: 3 failed attempts" },
  { detector: "GENERIC_SECRET", text: "secretary: Jane" },
  { detector: "GENERIC_SECRET", text: "tokens: [1, 2, 3]" },
  { detector: "GENERIC_SECRET", text: "keyboard: qwerty" },
  { detector: "GENERIC_SECRET", text: "password: password" },
  { detector: "GENERIC_SECRET", text: "client_secret: %CLIENT_SECRET%" },
  { detector: "GENERIC_SECRET", text: "token: undefined" },
];
