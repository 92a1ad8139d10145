// Generated labelled corpus (deterministic); see ./labelled-case.ts for the format.
// Values are synthetic: valid by construction (Luhn, mod-97, SSA rules…) or deliberately invalid.
import type { LabelledCase } from "./labelled-case.js";

export const SECRETS_CORPUS: readonly LabelledCase[] = [
  // JWT: 32 positives, 30 look-alike negatives
  {
    detector: "JWT",
    text: "token eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI5MDc4ODUyOCIsIm5hbWUiOiJBOEt3cjIiLCJpYXQiOjE3MTgwMjkxNDl9.nvBFEXURtLoH4ZukW8bB9Pv0D3ZsGRC8koqpXpo8_Sb",
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI5MDc4ODUyOCIsIm5hbWUiOiJBOEt3cjIiLCJpYXQiOjE3MTgwMjkxNDl9.nvBFEXURtLoH4ZukW8bB9Pv0D3ZsGRC8koqpXpo8_Sb",
  },
  {
    detector: "JWT",
    text: "id_token=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI4ODg4MjA1MiIsIm5hbWUiOiJWUFRmNjYiLCJpYXQiOjE3MTgwMjk1NDd9.J_3bBqXapiCZRcbYPZXcP6P85uyLIA1WtKxUuk2zwr2",
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI4ODg4MjA1MiIsIm5hbWUiOiJWUFRmNjYiLCJpYXQiOjE3MTgwMjk1NDd9.J_3bBqXapiCZRcbYPZXcP6P85uyLIA1WtKxUuk2zwr2",
  },
  {
    detector: "JWT",
    text: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI2MDI4OTY3MiIsIm5hbWUiOiJ4SGdSd0YiLCJpYXQiOjE3MTgwOTE5Mjh9.7S0ZK7wiJ102yhHuRjIoV9OPotjkkcQt8i7wim6__Sh",
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI2MDI4OTY3MiIsIm5hbWUiOiJ4SGdSd0YiLCJpYXQiOjE3MTgwOTE5Mjh9.7S0ZK7wiJ102yhHuRjIoV9OPotjkkcQt8i7wim6__Sh",
  },
  {
    detector: "JWT",
    text: "cookie: session=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwMTM5MTA4OSIsIm5hbWUiOiJscnRSa1ciLCJpYXQiOjE3MTgwMzA2NDd9.cnM0kvg_ovwK2iu37DaJMa5o1Deh4aVcpTVceugnt27",
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwMTM5MTA4OSIsIm5hbWUiOiJscnRSa1ciLCJpYXQiOjE3MTgwMzA2NDd9.cnM0kvg_ovwK2iu37DaJMa5o1Deh4aVcpTVceugnt27",
  },
  {
    detector: "JWT",
    text: '"access_token":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxODYyNTQ1MSIsIm5hbWUiOiJnMTc1TkkiLCJpYXQiOjE3MTgwMTExMjJ9.SNKssnTcLsKSZqzzBfKN0oCLcgBJPwHdQN0HaNSox9P"',
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxODYyNTQ1MSIsIm5hbWUiOiJnMTc1TkkiLCJpYXQiOjE3MTgwMTExMjJ9.SNKssnTcLsKSZqzzBfKN0oCLcgBJPwHdQN0HaNSox9P",
  },
  {
    detector: "JWT",
    text: "token eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI5MjUwNTI0NCIsIm5hbWUiOiJ0MWZaUWQiLCJpYXQiOjE3MTgwNzEyMjl9.nEGnAVC3qHi6pc-MrV5wtHRIkEiTt-VQ3NC50-IGU_Y",
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI5MjUwNTI0NCIsIm5hbWUiOiJ0MWZaUWQiLCJpYXQiOjE3MTgwNzEyMjl9.nEGnAVC3qHi6pc-MrV5wtHRIkEiTt-VQ3NC50-IGU_Y",
  },
  {
    detector: "JWT",
    text: "id_token=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI5MDY5Njk1OCIsIm5hbWUiOiJWZFdKT3MiLCJpYXQiOjE3MTgwNTE0ODN9.Zj3hbU5QsRmM0zUgJO_cKceqiKawdJpn-wAyEJTSApu",
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI5MDY5Njk1OCIsIm5hbWUiOiJWZFdKT3MiLCJpYXQiOjE3MTgwNTE0ODN9.Zj3hbU5QsRmM0zUgJO_cKceqiKawdJpn-wAyEJTSApu",
  },
  {
    detector: "JWT",
    text: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI1OTAxNjQ4NyIsIm5hbWUiOiJ1VnFqWkUiLCJpYXQiOjE3MTgwNTQ1MzN9.LWWlxSgDmwxry_-X05-og-6HJxZtnNv93Yo-xsrME2L",
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI1OTAxNjQ4NyIsIm5hbWUiOiJ1VnFqWkUiLCJpYXQiOjE3MTgwNTQ1MzN9.LWWlxSgDmwxry_-X05-og-6HJxZtnNv93Yo-xsrME2L",
  },
  {
    detector: "JWT",
    text: "cookie: session=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0Njk3MzQzMSIsIm5hbWUiOiIyMmE5SmYiLCJpYXQiOjE3MTgwMTc1MTJ9.Ye5CtGMWnZKNc_bpH_25FTnUBqsevzePXuqI6_cmxG9",
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0Njk3MzQzMSIsIm5hbWUiOiIyMmE5SmYiLCJpYXQiOjE3MTgwMTc1MTJ9.Ye5CtGMWnZKNc_bpH_25FTnUBqsevzePXuqI6_cmxG9",
  },
  {
    detector: "JWT",
    text: '"access_token":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI2NjI5Mjg0NSIsIm5hbWUiOiJZT3pUMnkiLCJpYXQiOjE3MTgwODk2MzJ9.L3jISNhYGD-rE2_VK6w8gSeP-Wp4e0uB3_hsG0jxrJH"',
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI2NjI5Mjg0NSIsIm5hbWUiOiJZT3pUMnkiLCJpYXQiOjE3MTgwODk2MzJ9.L3jISNhYGD-rE2_VK6w8gSeP-Wp4e0uB3_hsG0jxrJH",
  },
  {
    detector: "JWT",
    text: "token eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI4MzM4OTA0MyIsIm5hbWUiOiIwOUh0bk0iLCJpYXQiOjE3MTgwODQwNjl9.Bw4wJoEq7PucYKcvv2BRWOGcc2FARtl5PlUGhyc20R3",
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI4MzM4OTA0MyIsIm5hbWUiOiIwOUh0bk0iLCJpYXQiOjE3MTgwODQwNjl9.Bw4wJoEq7PucYKcvv2BRWOGcc2FARtl5PlUGhyc20R3",
  },
  {
    detector: "JWT",
    text: "id_token=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI1MDA3MjIzOCIsIm5hbWUiOiJsdGdSU0giLCJpYXQiOjE3MTgwOTQ2OTZ9.h7rvsPvunJTL1DZCUX2ABOsAtREdJYNN9jcqwiUV_nm",
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI1MDA3MjIzOCIsIm5hbWUiOiJsdGdSU0giLCJpYXQiOjE3MTgwOTQ2OTZ9.h7rvsPvunJTL1DZCUX2ABOsAtREdJYNN9jcqwiUV_nm",
  },
  {
    detector: "JWT",
    text: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MDE5ODM2NyIsIm5hbWUiOiIxdkdERnAiLCJpYXQiOjE3MTgwNDk2MDF9.OyDaHJVz5OobgfN4gGY2CiMYqAM-nToyMJGwEEocfow",
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MDE5ODM2NyIsIm5hbWUiOiIxdkdERnAiLCJpYXQiOjE3MTgwNDk2MDF9.OyDaHJVz5OobgfN4gGY2CiMYqAM-nToyMJGwEEocfow",
  },
  {
    detector: "JWT",
    text: "cookie: session=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI1MTA4NTgxNCIsIm5hbWUiOiJQNkJZbjEiLCJpYXQiOjE3MTgwODQ5MjJ9.zPv6PKpqUeeB7lM-CSIsJZumH3OemD-GyVt8sTeqlBw",
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI1MTA4NTgxNCIsIm5hbWUiOiJQNkJZbjEiLCJpYXQiOjE3MTgwODQ5MjJ9.zPv6PKpqUeeB7lM-CSIsJZumH3OemD-GyVt8sTeqlBw",
  },
  {
    detector: "JWT",
    text: '"access_token":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI2MzYyMTE2MyIsIm5hbWUiOiJIQ0p0QzAiLCJpYXQiOjE3MTgwNzUzOTF9.8OYbJoOT7LYLzgkD1Poj1Bjhyq-Ve1iu-GXYwW9l_aT"',
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI2MzYyMTE2MyIsIm5hbWUiOiJIQ0p0QzAiLCJpYXQiOjE3MTgwNzUzOTF9.8OYbJoOT7LYLzgkD1Poj1Bjhyq-Ve1iu-GXYwW9l_aT",
  },
  {
    detector: "JWT",
    text: "token eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI2MzU3MzkwMiIsIm5hbWUiOiJNY09GTkoiLCJpYXQiOjE3MTgwNjgyMzV9.b5bXd6_R3JBI3iS7wNxaolYp7zCpmrA9miBhzXDsc36",
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI2MzU3MzkwMiIsIm5hbWUiOiJNY09GTkoiLCJpYXQiOjE3MTgwNjgyMzV9.b5bXd6_R3JBI3iS7wNxaolYp7zCpmrA9miBhzXDsc36",
  },
  {
    detector: "JWT",
    text: "id_token=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIyMjc4NzE3NiIsIm5hbWUiOiJEazVINGUiLCJpYXQiOjE3MTgwNzA5MjN9.YGcuBujR1u0y-FIRGMud5TgzxsQaUcMoo3HgggpfogD",
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIyMjc4NzE3NiIsIm5hbWUiOiJEazVINGUiLCJpYXQiOjE3MTgwNzA5MjN9.YGcuBujR1u0y-FIRGMud5TgzxsQaUcMoo3HgggpfogD",
  },
  {
    detector: "JWT",
    text: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwNTA0ODQwOSIsIm5hbWUiOiJiWmhwbmwiLCJpYXQiOjE3MTgwMDU0MDd9.fRnT1c3YNIZ9v8dMT9t5WwfJWB-dEeVboBUItTMoF2l",
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwNTA0ODQwOSIsIm5hbWUiOiJiWmhwbmwiLCJpYXQiOjE3MTgwMDU0MDd9.fRnT1c3YNIZ9v8dMT9t5WwfJWB-dEeVboBUItTMoF2l",
  },
  {
    detector: "JWT",
    text: "cookie: session=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMzM0OTE4MyIsIm5hbWUiOiJpd0E4MUkiLCJpYXQiOjE3MTgwMDAyNDB9.IDnDbrS4-IaLXXCrsEVPgvqtHVdkEPrJYCBrG9GL5wm",
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMzM0OTE4MyIsIm5hbWUiOiJpd0E4MUkiLCJpYXQiOjE3MTgwMDAyNDB9.IDnDbrS4-IaLXXCrsEVPgvqtHVdkEPrJYCBrG9GL5wm",
  },
  {
    detector: "JWT",
    text: '"access_token":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI2NjI3MDc2NyIsIm5hbWUiOiJLMUNYV2EiLCJpYXQiOjE3MTgwNjg5MTN9.dqdogMEjBK3P6y97eQGK3tEK5aWpuZ59dB3S-b0thyH"',
    secret:
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI2NjI3MDc2NyIsIm5hbWUiOiJLMUNYV2EiLCJpYXQiOjE3MTgwNjg5MTN9.dqdogMEjBK3P6y97eQGK3tEK5aWpuZ59dB3S-b0thyH",
  },
  {
    detector: "JWT",
    text: "token eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI4MjcwOTM2MiIsIm5hbWUiOiJpUDU3ZUQiLCJpYXQiOjE3MTgwMjUxNTd9.SNwV6MgJuN01XM6TvFbze7n0-yuSbSvTr6Tn4cjeOYUEUg4esNFygUEaUXHMIocygw6Rwn838xCxEcGYkXpWQA",
    secret:
      "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI4MjcwOTM2MiIsIm5hbWUiOiJpUDU3ZUQiLCJpYXQiOjE3MTgwMjUxNTd9.SNwV6MgJuN01XM6TvFbze7n0-yuSbSvTr6Tn4cjeOYUEUg4esNFygUEaUXHMIocygw6Rwn838xCxEcGYkXpWQA",
  },
  {
    detector: "JWT",
    text: "id_token=eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI3MDQzNjA0NiIsIm5hbWUiOiJJWkd1c3ciLCJpYXQiOjE3MTgwMDczNjh9.3SgQ_KKVD0UeYdg3fNzs56Wadaqng0e0VKvlz7VSsVNi00NVlXxK9dPD19d9yjypb55bcl725rOkGzNKWGJTyA",
    secret:
      "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI3MDQzNjA0NiIsIm5hbWUiOiJJWkd1c3ciLCJpYXQiOjE3MTgwMDczNjh9.3SgQ_KKVD0UeYdg3fNzs56Wadaqng0e0VKvlz7VSsVNi00NVlXxK9dPD19d9yjypb55bcl725rOkGzNKWGJTyA",
  },
  {
    detector: "JWT",
    text: "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxNDY1ODEwMyIsIm5hbWUiOiJsU0laSW8iLCJpYXQiOjE3MTgwNDQzNDR9.eCwlWLQRasl7f5wCdM-F1MPU1eZdUvYwujeIDdPmf3O773-AeXGzkl4qy34mfoWilBTpyxxlhepoD9W2E7Ss5Q",
    secret:
      "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxNDY1ODEwMyIsIm5hbWUiOiJsU0laSW8iLCJpYXQiOjE3MTgwNDQzNDR9.eCwlWLQRasl7f5wCdM-F1MPU1eZdUvYwujeIDdPmf3O773-AeXGzkl4qy34mfoWilBTpyxxlhepoD9W2E7Ss5Q",
  },
  {
    detector: "JWT",
    text: "cookie: session=eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI1Njc4MzAyMyIsIm5hbWUiOiJjd2xjeVIiLCJpYXQiOjE3MTgwOTU0NDh9.Bb9j9ZrBDS3i3rHNuWaEZZv8N4WkaC9Tl6sPXeh5qgbUCuRMGHPeF63jtvx7lGa45IQolDzD6QMqEtQIld9rRA",
    secret:
      "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI1Njc4MzAyMyIsIm5hbWUiOiJjd2xjeVIiLCJpYXQiOjE3MTgwOTU0NDh9.Bb9j9ZrBDS3i3rHNuWaEZZv8N4WkaC9Tl6sPXeh5qgbUCuRMGHPeF63jtvx7lGa45IQolDzD6QMqEtQIld9rRA",
  },
  {
    detector: "JWT",
    text: '"access_token":"eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIzOTk0MTQxNCIsIm5hbWUiOiJMQWQyczUiLCJpYXQiOjE3MTgwMjQzODJ9.YNTlaBeG8PZWByCljpqmhVy1jppx347zjHFEUYZLFSXAmxPH8d9-wJEc1FLZ6Y7Gs_eIAy8V1cmNhiTc0Bs8Gw"',
    secret:
      "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIzOTk0MTQxNCIsIm5hbWUiOiJMQWQyczUiLCJpYXQiOjE3MTgwMjQzODJ9.YNTlaBeG8PZWByCljpqmhVy1jppx347zjHFEUYZLFSXAmxPH8d9-wJEc1FLZ6Y7Gs_eIAy8V1cmNhiTc0Bs8Gw",
  },
  {
    detector: "JWT",
    text: "token eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI5MzYxNDk4OCIsIm5hbWUiOiI0MjA4Z0ciLCJpYXQiOjE3MTgwNjkyMDN9.OojYd2Vd4T9Hq3zJosmqDnc-n1WJHl_7GdemltIP2pHd4VCNiUQysUEMHAW-pjB04xlPh6QiMj8KjXzwaOov2g",
    secret:
      "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI5MzYxNDk4OCIsIm5hbWUiOiI0MjA4Z0ciLCJpYXQiOjE3MTgwNjkyMDN9.OojYd2Vd4T9Hq3zJosmqDnc-n1WJHl_7GdemltIP2pHd4VCNiUQysUEMHAW-pjB04xlPh6QiMj8KjXzwaOov2g",
  },
  {
    detector: "JWT",
    text: "id_token=eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0Nzg2OTkwOCIsIm5hbWUiOiJKZ3lrRkQiLCJpYXQiOjE3MTgwMjcyMzR9.LTBI41EcWjzSdY-vXyziRSfcC69NLiAZCWNIS8PhujrjzKlHQvDyiglllQzIT03dLbti-dVl8hcfNbcTzlVRHA",
    secret:
      "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0Nzg2OTkwOCIsIm5hbWUiOiJKZ3lrRkQiLCJpYXQiOjE3MTgwMjcyMzR9.LTBI41EcWjzSdY-vXyziRSfcC69NLiAZCWNIS8PhujrjzKlHQvDyiglllQzIT03dLbti-dVl8hcfNbcTzlVRHA",
  },
  {
    detector: "JWT",
    text: "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MzM5MTE5MSIsIm5hbWUiOiJUbHFFTEYiLCJpYXQiOjE3MTgwODI2MjB9.UryWNwXy20Sn5AS2I6JolUMDLWv5g1FAf2DzGV2tPYTseHm0qQFdIWlhsVjOJE9jmdk-0OZUonCQwfPyQ7hHDA",
    secret:
      "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MzM5MTE5MSIsIm5hbWUiOiJUbHFFTEYiLCJpYXQiOjE3MTgwODI2MjB9.UryWNwXy20Sn5AS2I6JolUMDLWv5g1FAf2DzGV2tPYTseHm0qQFdIWlhsVjOJE9jmdk-0OZUonCQwfPyQ7hHDA",
  },
  {
    detector: "JWT",
    text: "cookie: session=eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwNzQ4NTM3NCIsIm5hbWUiOiJ5Wno0dEgiLCJpYXQiOjE3MTgwMTM5ODh9.cpfJiV6oCRbEt7QwBvYgfFP7whoiICYdigK5UDlD7cx5CuNrqMKjhFfQ2oRnOWA14N3ZUTJKfMa6FsjkJ22pDg",
    secret:
      "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwNzQ4NTM3NCIsIm5hbWUiOiJ5Wno0dEgiLCJpYXQiOjE3MTgwMTM5ODh9.cpfJiV6oCRbEt7QwBvYgfFP7whoiICYdigK5UDlD7cx5CuNrqMKjhFfQ2oRnOWA14N3ZUTJKfMa6FsjkJ22pDg",
  },
  {
    detector: "JWT",
    text: '"access_token":"eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwNzM2NTM0NyIsIm5hbWUiOiJreDVIQmgiLCJpYXQiOjE3MTgwODI1Mzl9.x-E59Omem_P8M1QaDgj_SSmob0ZMGohUhQ30UcBAHIWDr7iS5Q4SOKG29BSmeON7tOUwUxiwMByx8INLZcSP8Q"',
    secret:
      "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwNzM2NTM0NyIsIm5hbWUiOiJreDVIQmgiLCJpYXQiOjE3MTgwODI1Mzl9.x-E59Omem_P8M1QaDgj_SSmob0ZMGohUhQ30UcBAHIWDr7iS5Q4SOKG29BSmeON7tOUwUxiwMByx8INLZcSP8Q",
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
    text: "key:\n-----BEGIN RSA PRIVATE KEY-----\nywn4HxsvV+MwZ5UoBK5lNqIOTK/FvhoUT6aEu2+d2Oiav5GPuCYvoduYvnOZ4z7K\nPS9qrw0jEmepHecqN25y6AElAWlWmcoqrf9E98aFCpC1EK17DbmTjNa8vStIZpXI\nmqLGNa78RJbRW/NXB8iNF1M2wpfLRCdBmSpQAeVQ7c76OIm8Nyg2YDkEOjW79Jmd\n-----END RSA PRIVATE KEY-----\n",
    secret:
      "-----BEGIN RSA PRIVATE KEY-----\nywn4HxsvV+MwZ5UoBK5lNqIOTK/FvhoUT6aEu2+d2Oiav5GPuCYvoduYvnOZ4z7K\nPS9qrw0jEmepHecqN25y6AElAWlWmcoqrf9E98aFCpC1EK17DbmTjNa8vStIZpXI\nmqLGNa78RJbRW/NXB8iNF1M2wpfLRCdBmSpQAeVQ7c76OIm8Nyg2YDkEOjW79Jmd\n-----END RSA PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "-----BEGIN PRIVATE KEY-----\n9hFroB5jS36mUzlWQzsVoAW1gSfWudw7ZT0KoPlek8DJU41Np1FW/+SkTAOZuquI\nF89EzSTsIRJD65ddC+VczdUVTQ2m+EFUY1xnq79Q3dLI/0z3eijHYbeoVusY+U1g\nxinDxsCLQA854in8P+EnuOg112qoiiMlOJq3/6CJpyFnMSOx/+5s73eyYocikYSP\nKKnm9YkkhKNIMrfxN10yf1lpbhZN01A3uYSjfB2sn5Mg66O9+UNFiJOCTJHYQu1K\nfHC4IoZu1vaZB1VBtUnpBlLjkbZDwHOCiHj0gABGGgX+ftBBjVFi8Pcg7bRSpdtw\n7SKQIkykYRSdouSHaqD78HSbG3NLmCZzYVVOk4KGNLqSBBcohf9uKduneiz+wXUV\nE/LUqCqItTXL9LMXwGoroWFUFIck83Dfch2kHDn85BZEJ4J/1cBbm+TKOWyibg9p\nrE6DocaQARpCIkyfW/DBnZUKZek2nbTQwkK+6Ra+2JASkRQ4wijanZvio8RcHQ4Z\n-----END PRIVATE KEY-----",
    secret:
      "-----BEGIN PRIVATE KEY-----\n9hFroB5jS36mUzlWQzsVoAW1gSfWudw7ZT0KoPlek8DJU41Np1FW/+SkTAOZuquI\nF89EzSTsIRJD65ddC+VczdUVTQ2m+EFUY1xnq79Q3dLI/0z3eijHYbeoVusY+U1g\nxinDxsCLQA854in8P+EnuOg112qoiiMlOJq3/6CJpyFnMSOx/+5s73eyYocikYSP\nKKnm9YkkhKNIMrfxN10yf1lpbhZN01A3uYSjfB2sn5Mg66O9+UNFiJOCTJHYQu1K\nfHC4IoZu1vaZB1VBtUnpBlLjkbZDwHOCiHj0gABGGgX+ftBBjVFi8Pcg7bRSpdtw\n7SKQIkykYRSdouSHaqD78HSbG3NLmCZzYVVOk4KGNLqSBBcohf9uKduneiz+wXUV\nE/LUqCqItTXL9LMXwGoroWFUFIck83Dfch2kHDn85BZEJ4J/1cBbm+TKOWyibg9p\nrE6DocaQARpCIkyfW/DBnZUKZek2nbTQwkK+6Ra+2JASkRQ4wijanZvio8RcHQ4Z\n-----END PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: '"private_key": "-----BEGIN EC PRIVATE KEY-----\ne+3t4XEPzookvE1jbmAgBKShwl9o4qblagluqt2Kaj8CeKayEmCM5aAKHiq5IfNQ\nxcDyp+Ut6MVqPAoVyTRMycGdHPKG0yjbysKzAfaQJbyO0Z3eSx5IGKQBud54ro0T\ntXDRTYySwcsOCmwKQUfOnaJdhHpJqcUOQPHbagZHfz3b/idIDayIMgNMsSEIiyyC\nqVUZR6V8ikltrIRbGGwJbkSoDuMbWaFxt1s/NV3EUjNbtbwbYB7+0xZPJ9fI4toY\nMVKHb57vJC/u23kD8SDbS3CIh1+6XgCZz/zAEFM7m/4LMHpa6m3kAEDk5YYwP+uz\nz7LOiw4fg/aoiqlJne5IVjcsGaBe+z5FmlFQTJ5UrnvHJ5HFBVgwa19DMf8rIwwZ\n/JV2aGD1do9KuyaZt2cU/qJMyjnHm+dLIRSbidP42dNV4hOOKs23cQHlPC7VHFNm\n+xMQeP0qy+3DLzKQc4er0zF616RTN1JOfN7gAMs31Dpi+5UoxUpjK8FUUIif81/e\nODK4GXO1yrXzwQEx3KFK9eRhwWko6kVhDnrjO4rDauPr4cDVCeUrCsR8ydoYLn6Y\nwgObk0Ig3xlOoUhQM2O0V0Wa3g66OOzigBvyKFM0+/+pk+Fz2tYBQXWvqxjV6VHS\n-----END EC PRIVATE KEY-----"',
    secret:
      "-----BEGIN EC PRIVATE KEY-----\ne+3t4XEPzookvE1jbmAgBKShwl9o4qblagluqt2Kaj8CeKayEmCM5aAKHiq5IfNQ\nxcDyp+Ut6MVqPAoVyTRMycGdHPKG0yjbysKzAfaQJbyO0Z3eSx5IGKQBud54ro0T\ntXDRTYySwcsOCmwKQUfOnaJdhHpJqcUOQPHbagZHfz3b/idIDayIMgNMsSEIiyyC\nqVUZR6V8ikltrIRbGGwJbkSoDuMbWaFxt1s/NV3EUjNbtbwbYB7+0xZPJ9fI4toY\nMVKHb57vJC/u23kD8SDbS3CIh1+6XgCZz/zAEFM7m/4LMHpa6m3kAEDk5YYwP+uz\nz7LOiw4fg/aoiqlJne5IVjcsGaBe+z5FmlFQTJ5UrnvHJ5HFBVgwa19DMf8rIwwZ\n/JV2aGD1do9KuyaZt2cU/qJMyjnHm+dLIRSbidP42dNV4hOOKs23cQHlPC7VHFNm\n+xMQeP0qy+3DLzKQc4er0zF616RTN1JOfN7gAMs31Dpi+5UoxUpjK8FUUIif81/e\nODK4GXO1yrXzwQEx3KFK9eRhwWko6kVhDnrjO4rDauPr4cDVCeUrCsR8ydoYLn6Y\nwgObk0Ig3xlOoUhQM2O0V0Wa3g66OOzigBvyKFM0+/+pk+Fz2tYBQXWvqxjV6VHS\n-----END EC PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "here it is -----BEGIN OPENSSH PRIVATE KEY-----\nRsF8aAuxT8ubppjC7fHJNbAWNknBSmy/Hlqy9+AONTspMaOShzZmrzjNIEwjiNOU\npvS12SpQpZ8mX8ESQBNLWoK/WvRoHlgdQuRfPZSRPHwF9NuAOFo8a9owJCwImTFX\nnEBH3MkWS4/EtZhKMdezr6fC2xY2LKZaRpeh6Kxlr0pf9OQuU1kcW/TvSNvPb0Pt\nt1jFU4KRwS5WoZvSyhV1M2hEUxjSsZW+XdpH+POo+nFIiJ+beoh3M4F0uABFLr5l\nMfkD2VECJ5r0xLqes0FDn6Tz3NcEl4teSCmm3y29Ry/Qdc5llRFo+qf/8QyjpmQS\nFzUOnXYbj4FzMukVNw12PkBZnDeXMQzfFXXC5CsHq4/zHot2fFXIXmnmHU1M5f6n\nlOQ2mqlVuwsTppUSZsikN4QQOk+o/naPzRahWjgsxdJSUvnKWXKsNFhYiM6hZvKe\n-----END OPENSSH PRIVATE KEY----- thanks",
    secret:
      "-----BEGIN OPENSSH PRIVATE KEY-----\nRsF8aAuxT8ubppjC7fHJNbAWNknBSmy/Hlqy9+AONTspMaOShzZmrzjNIEwjiNOU\npvS12SpQpZ8mX8ESQBNLWoK/WvRoHlgdQuRfPZSRPHwF9NuAOFo8a9owJCwImTFX\nnEBH3MkWS4/EtZhKMdezr6fC2xY2LKZaRpeh6Kxlr0pf9OQuU1kcW/TvSNvPb0Pt\nt1jFU4KRwS5WoZvSyhV1M2hEUxjSsZW+XdpH+POo+nFIiJ+beoh3M4F0uABFLr5l\nMfkD2VECJ5r0xLqes0FDn6Tz3NcEl4teSCmm3y29Ry/Qdc5llRFo+qf/8QyjpmQS\nFzUOnXYbj4FzMukVNw12PkBZnDeXMQzfFXXC5CsHq4/zHot2fFXIXmnmHU1M5f6n\nlOQ2mqlVuwsTppUSZsikN4QQOk+o/naPzRahWjgsxdJSUvnKWXKsNFhYiM6hZvKe\n-----END OPENSSH PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "key:\n-----BEGIN ENCRYPTED PRIVATE KEY-----\\nz9BWbvJFN4NiYjgQPRRHkCvEWzMY2gXu+33oLKVCbGWV0HMIZcdZlaQsLBF5HVPz\\n7sjb4UXTLpiToTOrBMM2pqxpEsRdDovtALdDxvyVdvbAAaMYnAVdTs0JtjEhy8Ge\\nfoveOB6HO7N+oICDGjGwXVDWwcNRI49XyUk93ZqaDBNFEYRr267+AXq4onLznyhj\\nZCmaedsoVxcp+btkkJgsAP6lf9sSgFv6fWwuZoSiE6LHT7HYBBvaFzQO/6ZCCK5E\\nnzVicQym1N/VqjfZ0HTjhmA4dSJqTMUvNj4q3kzyxMFWEAU6dQBk5fbHbKd9qxtm\\neHCEd7hZWhiJv1d5OsEB+z8ibeHcwNMp+lBrPxeA3zPc42OkbDwHItYlvIIv91D/\\n-----END ENCRYPTED PRIVATE KEY-----\n",
    secret:
      "-----BEGIN ENCRYPTED PRIVATE KEY-----\\nz9BWbvJFN4NiYjgQPRRHkCvEWzMY2gXu+33oLKVCbGWV0HMIZcdZlaQsLBF5HVPz\\n7sjb4UXTLpiToTOrBMM2pqxpEsRdDovtALdDxvyVdvbAAaMYnAVdTs0JtjEhy8Ge\\nfoveOB6HO7N+oICDGjGwXVDWwcNRI49XyUk93ZqaDBNFEYRr267+AXq4onLznyhj\\nZCmaedsoVxcp+btkkJgsAP6lf9sSgFv6fWwuZoSiE6LHT7HYBBvaFzQO/6ZCCK5E\\nnzVicQym1N/VqjfZ0HTjhmA4dSJqTMUvNj4q3kzyxMFWEAU6dQBk5fbHbKd9qxtm\\neHCEd7hZWhiJv1d5OsEB+z8ibeHcwNMp+lBrPxeA3zPc42OkbDwHItYlvIIv91D/\\n-----END ENCRYPTED PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "-----BEGIN DSA PRIVATE KEY-----\neOTsw28tlxI9O5tGrZSJX7lu/MDWlQ4dZnYZJ5K1k7pQ3+sC8cn6pHnysdNs9GCN\nI2uIZ4Vp9J4HrHRKQ6ONzECtId6Uy/6YsHdofeoWM9JtPuXjiVZhl4gmjNoTwS/6\n/JSmzJvKLzQ0yac3EjzHO71wJlqpJ4Rt5LEC3kse/j7tlbnsslCJwWFVXctFZ+gW\njPsYwITHmii3y1rSJ6X4hRZLl9JfAxJXXLzQr1YujrH0IT2iw5oIslY7w3zT+trt\n-----END DSA PRIVATE KEY-----",
    secret:
      "-----BEGIN DSA PRIVATE KEY-----\neOTsw28tlxI9O5tGrZSJX7lu/MDWlQ4dZnYZJ5K1k7pQ3+sC8cn6pHnysdNs9GCN\nI2uIZ4Vp9J4HrHRKQ6ONzECtId6Uy/6YsHdofeoWM9JtPuXjiVZhl4gmjNoTwS/6\n/JSmzJvKLzQ0yac3EjzHO71wJlqpJ4Rt5LEC3kse/j7tlbnsslCJwWFVXctFZ+gW\njPsYwITHmii3y1rSJ6X4hRZLl9JfAxJXXLzQr1YujrH0IT2iw5oIslY7w3zT+trt\n-----END DSA PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: '"private_key": "-----BEGIN PGP PRIVATE KEY BLOCK-----\nhIGanZmzY//5QNSNgll1w2YPlFLmVXa5ZmnXVXRblguI9x91qxMtF2qHsiDXPxVO\n6vOXRgcmfHGFDeICZyWFzzcnChzBlthu1Unmn6/Svcd5XgwKvXOuxdQIu8xLVfWm\nI5RFRExGyvSKul+ON9fFAsUsr9ip8Wsb5y+Cisf7XiRVzKIGkzVqXxF6hWHCh3eB\nh/g7Otb+6ONP2kAqMaSdOfVK5wvgnZk5oz6NxgAQZWi0dXGRoKsfr+Ew3X+Co7C+\nmLZ/kOIoleXsoX8M31/AycDTFD+2FwmLel2p3EourEpYd87g7G/IJx8ZqdR+IZkj\n1vwQ6PuySQzd+cXEmBMrQiGZePDm0bWd9Mf0CqDbZ4HyxxPKw6MZopLXFLSjN7H1\nC46JCUnKv/tXHiZmA5e95JM1NVEqigRFf3fmi+7GBLSwSTGIm5YkAQi86A8J9yBp\neRkp0Tszzcddeig5QkKP2lEpUF5qu5wRjOoWkkjIcmwtAdgOYZffovqNmlXfNl8V\nHYDqs2Gmogw/Luten3LqFry/Tl3Fd55P/x9gF231Q9b2jj7yXITAR6692HbCKrPQ\n7rzlZXf6lcmVcHRhOm2sOJKuZatUe8KlDRrlyJII7HOyWFG0cfFHlWTHxOAHWil6\nMd8yc6A6S1qVlqB8hVptImlk8/3RvKyNbyThrOoXCUP+2akyzyUQnILl3mcCWY83\nyMO7BEu53+y//xMk1fqce1UMdPOcQrywAdCTLBwtl2JG3LwssdnxlH/14f1m71+9\n-----END PGP PRIVATE KEY BLOCK-----"',
    secret:
      "-----BEGIN PGP PRIVATE KEY BLOCK-----\nhIGanZmzY//5QNSNgll1w2YPlFLmVXa5ZmnXVXRblguI9x91qxMtF2qHsiDXPxVO\n6vOXRgcmfHGFDeICZyWFzzcnChzBlthu1Unmn6/Svcd5XgwKvXOuxdQIu8xLVfWm\nI5RFRExGyvSKul+ON9fFAsUsr9ip8Wsb5y+Cisf7XiRVzKIGkzVqXxF6hWHCh3eB\nh/g7Otb+6ONP2kAqMaSdOfVK5wvgnZk5oz6NxgAQZWi0dXGRoKsfr+Ew3X+Co7C+\nmLZ/kOIoleXsoX8M31/AycDTFD+2FwmLel2p3EourEpYd87g7G/IJx8ZqdR+IZkj\n1vwQ6PuySQzd+cXEmBMrQiGZePDm0bWd9Mf0CqDbZ4HyxxPKw6MZopLXFLSjN7H1\nC46JCUnKv/tXHiZmA5e95JM1NVEqigRFf3fmi+7GBLSwSTGIm5YkAQi86A8J9yBp\neRkp0Tszzcddeig5QkKP2lEpUF5qu5wRjOoWkkjIcmwtAdgOYZffovqNmlXfNl8V\nHYDqs2Gmogw/Luten3LqFry/Tl3Fd55P/x9gF231Q9b2jj7yXITAR6692HbCKrPQ\n7rzlZXf6lcmVcHRhOm2sOJKuZatUe8KlDRrlyJII7HOyWFG0cfFHlWTHxOAHWil6\nMd8yc6A6S1qVlqB8hVptImlk8/3RvKyNbyThrOoXCUP+2akyzyUQnILl3mcCWY83\nyMO7BEu53+y//xMk1fqce1UMdPOcQrywAdCTLBwtl2JG3LwssdnxlH/14f1m71+9\n-----END PGP PRIVATE KEY BLOCK-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "here it is -----BEGIN RSA PRIVATE KEY-----\ntu/kxy3xPFPWHs7STNTqSfR1IIT7zV8iuma40FS7rbdXhjM7VIGIZOPSAFNVovaH\nbdtmk2humGBhSDQ0qR+VKZWgsC55Vjjw4AZPCbePCS4QeGRYtKkvj7J0Te7+BBzN\nwEjhV/xXBunFF9v6uo9m6I/a+cq+aonOVJjdrKzcZiKbrYSXF67N3ljhL/w7nJst\nOEArAWd2sIfGHxbuYDOU936Yf1kd3wbD6DPyL29+6OYs4BLHqXyLbZ/gyC6bJydk\nY+ky7WgfV9bzPJEvcNhPYjJxrdeLAaHThYxBjV/i6B0vNeQExRgeBlq0hEDC2/uh\nC6zxQ2It1hUKTXJ382CE6xgIxDHS2xMDHYnnBDlEUK5bWvy0HL3JLi7byaT0DnnB\nrQW6nSF65xM1DoaDP8qCRUJP3O0Zk29T47X0V4O6MWmZFBpUQkQaE2XXc4mpOLJh\nsIRPxZ5PYvtaagfiPQQJRyF1K4OXrZthUtDn8RWO/y506bmjRzyO6n42hSZEwUL0 thanks",
    secret:
      "-----BEGIN RSA PRIVATE KEY-----\ntu/kxy3xPFPWHs7STNTqSfR1IIT7zV8iuma40FS7rbdXhjM7VIGIZOPSAFNVovaH\nbdtmk2humGBhSDQ0qR+VKZWgsC55Vjjw4AZPCbePCS4QeGRYtKkvj7J0Te7+BBzN\nwEjhV/xXBunFF9v6uo9m6I/a+cq+aonOVJjdrKzcZiKbrYSXF67N3ljhL/w7nJst\nOEArAWd2sIfGHxbuYDOU936Yf1kd3wbD6DPyL29+6OYs4BLHqXyLbZ/gyC6bJydk\nY+ky7WgfV9bzPJEvcNhPYjJxrdeLAaHThYxBjV/i6B0vNeQExRgeBlq0hEDC2/uh\nC6zxQ2It1hUKTXJ382CE6xgIxDHS2xMDHYnnBDlEUK5bWvy0HL3JLi7byaT0DnnB\nrQW6nSF65xM1DoaDP8qCRUJP3O0Zk29T47X0V4O6MWmZFBpUQkQaE2XXc4mpOLJh\nsIRPxZ5PYvtaagfiPQQJRyF1K4OXrZthUtDn8RWO/y506bmjRzyO6n42hSZEwUL0",
  },
  {
    detector: "PRIVATE_KEY",
    text: "key:\n-----BEGIN PRIVATE KEY-----\noRRLn6YF5P7JfNiOB311Vnn36gtvEzIxTHM1LVYyvPZdT1l+BIqdl3TY1i3PCDvZ\nY9z36E2fpt+iqhYmFPl7LRTYXG7yE+v3B8H6cu5t8AF4U4pfpCYRUqgpkv1IkAxX\nJjMUP7XmDmzUO1zv32n7Vi2DYF8ffr2ni60kaqDAuRq/jcAd2Givpb5oJ1dRWZOs\nIxD9NcoHqcCyJA+QHM2YPeWwi5SKcwSnmSWDP4xkSLxWBGS887GYS6DMiI7hrweq\njc9dSQhJaY2UV17bd7cWTwX6uYyqDVoX2K1tG/9VB6p4RfOZi7+Il3K/95Wpg0CK\nnAmsUClV1bdV1dImtUfZTYQ06m2Fn9hgNVjVQn+6ERkROYX0b7R+HVJMZ24BCYvi\nYhZY1k/NlCR1aI9gaw8UYPY19YA6e8byA93aj6hYa0iQhRglDrM36QA274RoFnp6\nFDNBuEF3X+AZ/wvP2Lx3kDncELsQVbQI49ujxbUVa80wIP3v/DAXE1Q3V/PwMiFt\naJMi1u1Ju/+6TycOOUwcmnpqyoRxqlWWsQ2AD9EwOiHgpb8ukdQKByYnNbi/VATI\nkqi+VBIA6N2ZbMKx1UUPlZFGh8eXkcwp4Fui7ynDNaebi2g4EByxtRRDQI5KTiOP\nFZufGXN3wbAGWzKbqGs/G0vDXSn0H/wjvVTsyXFjhIupNElyQGoZ+dktAY1ggo82\n-----END PRIVATE KEY-----\n",
    secret:
      "-----BEGIN PRIVATE KEY-----\noRRLn6YF5P7JfNiOB311Vnn36gtvEzIxTHM1LVYyvPZdT1l+BIqdl3TY1i3PCDvZ\nY9z36E2fpt+iqhYmFPl7LRTYXG7yE+v3B8H6cu5t8AF4U4pfpCYRUqgpkv1IkAxX\nJjMUP7XmDmzUO1zv32n7Vi2DYF8ffr2ni60kaqDAuRq/jcAd2Givpb5oJ1dRWZOs\nIxD9NcoHqcCyJA+QHM2YPeWwi5SKcwSnmSWDP4xkSLxWBGS887GYS6DMiI7hrweq\njc9dSQhJaY2UV17bd7cWTwX6uYyqDVoX2K1tG/9VB6p4RfOZi7+Il3K/95Wpg0CK\nnAmsUClV1bdV1dImtUfZTYQ06m2Fn9hgNVjVQn+6ERkROYX0b7R+HVJMZ24BCYvi\nYhZY1k/NlCR1aI9gaw8UYPY19YA6e8byA93aj6hYa0iQhRglDrM36QA274RoFnp6\nFDNBuEF3X+AZ/wvP2Lx3kDncELsQVbQI49ujxbUVa80wIP3v/DAXE1Q3V/PwMiFt\naJMi1u1Ju/+6TycOOUwcmnpqyoRxqlWWsQ2AD9EwOiHgpb8ukdQKByYnNbi/VATI\nkqi+VBIA6N2ZbMKx1UUPlZFGh8eXkcwp4Fui7ynDNaebi2g4EByxtRRDQI5KTiOP\nFZufGXN3wbAGWzKbqGs/G0vDXSn0H/wjvVTsyXFjhIupNElyQGoZ+dktAY1ggo82\n-----END PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "-----BEGIN EC PRIVATE KEY-----\\nTtysk0w4zP5c6fNhsv1GR/dkPdI890kXFN3qEvwh83eDo9bGCB9xWNzdo5rARBch\\nTWANbJMfDmTVfYg92XCnfclhJvgOUjF0HpziklfGo1ggUTje9aepOBo7XG6B8x0g\\nSKHqYD5JLxJReXxdQv3kNyF0jQ/ewDPInSvFD2EJo1Nrog+eQoi89IdeS9RXrWtg\\na/dAIjXyl0a2DPuKpFCccCpS7/7OblukIApi47TDV4d3KoSsdDMiV3tS5qiLJP3K\\nQY2Lm9BBbkDSZ+lADqSSgak1twE/1jummwqipAx06mL4hfkdsP+YVf/TbmCO9dLN\\nXxRPg3bTenRLexvJyY3ltew3OZH+0v/CaemrVAWFX5RATaBw5CwWePTrpX5wyJhj\\nOP2HbXrDcqlhuiHbVeRNRRAtAnUZlTH9rSay9UUHTU02+LohSayXhN1jzdCFPbN8\\n-----END EC PRIVATE KEY-----",
    secret:
      "-----BEGIN EC PRIVATE KEY-----\\nTtysk0w4zP5c6fNhsv1GR/dkPdI890kXFN3qEvwh83eDo9bGCB9xWNzdo5rARBch\\nTWANbJMfDmTVfYg92XCnfclhJvgOUjF0HpziklfGo1ggUTje9aepOBo7XG6B8x0g\\nSKHqYD5JLxJReXxdQv3kNyF0jQ/ewDPInSvFD2EJo1Nrog+eQoi89IdeS9RXrWtg\\na/dAIjXyl0a2DPuKpFCccCpS7/7OblukIApi47TDV4d3KoSsdDMiV3tS5qiLJP3K\\nQY2Lm9BBbkDSZ+lADqSSgak1twE/1jummwqipAx06mL4hfkdsP+YVf/TbmCO9dLN\\nXxRPg3bTenRLexvJyY3ltew3OZH+0v/CaemrVAWFX5RATaBw5CwWePTrpX5wyJhj\\nOP2HbXrDcqlhuiHbVeRNRRAtAnUZlTH9rSay9UUHTU02+LohSayXhN1jzdCFPbN8\\n-----END EC PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: '"private_key": "-----BEGIN OPENSSH PRIVATE KEY-----\nphhuHeUrrdGSBp0eoObxOpIIlPN+k388ABLh05lhhz9GHK6IEgYjtwp99zvU4lt+\nt/cnJv92du5wKOmh54hGCOHQ00/zRHR/kk7hDtEVOfSds07nqIQepdW1hYp68R3H\njOkcZ/WBO4nu8XxOHJdVMGdeeK3/8T1wvpILJDbsKGTcIX1e7LN1UM7jSHAvN7+l\nO1WyFGczcUP2ZAg/qIoQQcjS4lVTsfUO0blcOUssP9KOlhHN4cZ92caVEtAPMK8A\nKJgUgd9+rhr1tkKh0jCFQIE1C8NrEhqLzSxOL3Pzg67M6VEdLuC1ICvXd2afj7yi\nGUQ+mD62b9q7/7YbhOJ/eFCHKiT/NpLJ/i6Cco0DEUi8xXdwgsHWel+PUCK4xEHS\nMPOXu3yp6OjMwM0+sQgi6oFdxpCtgsImvWHCGQ5jhxN2pkzlX1XgK81O0eP5GwU6\nID72Dltq5i/tnFwgLJ0D8sB+eMMy5dnJIqlaaRkE5porOFxwVPivcLOb5nyOCaCm\nP32Bkq8QPVXAqvVTpiLCoxiaBvcIknWPmB66iKZzo5sIMue1YldA7UutyROdoDxy\nqWVPUmxTTuQBlhcEat1WA+q/Yn7dYqYQ1PLQSy7P4sycF34w+18NuvZNdjJ+f7rG\n-----END OPENSSH PRIVATE KEY-----"',
    secret:
      "-----BEGIN OPENSSH PRIVATE KEY-----\nphhuHeUrrdGSBp0eoObxOpIIlPN+k388ABLh05lhhz9GHK6IEgYjtwp99zvU4lt+\nt/cnJv92du5wKOmh54hGCOHQ00/zRHR/kk7hDtEVOfSds07nqIQepdW1hYp68R3H\njOkcZ/WBO4nu8XxOHJdVMGdeeK3/8T1wvpILJDbsKGTcIX1e7LN1UM7jSHAvN7+l\nO1WyFGczcUP2ZAg/qIoQQcjS4lVTsfUO0blcOUssP9KOlhHN4cZ92caVEtAPMK8A\nKJgUgd9+rhr1tkKh0jCFQIE1C8NrEhqLzSxOL3Pzg67M6VEdLuC1ICvXd2afj7yi\nGUQ+mD62b9q7/7YbhOJ/eFCHKiT/NpLJ/i6Cco0DEUi8xXdwgsHWel+PUCK4xEHS\nMPOXu3yp6OjMwM0+sQgi6oFdxpCtgsImvWHCGQ5jhxN2pkzlX1XgK81O0eP5GwU6\nID72Dltq5i/tnFwgLJ0D8sB+eMMy5dnJIqlaaRkE5porOFxwVPivcLOb5nyOCaCm\nP32Bkq8QPVXAqvVTpiLCoxiaBvcIknWPmB66iKZzo5sIMue1YldA7UutyROdoDxy\nqWVPUmxTTuQBlhcEat1WA+q/Yn7dYqYQ1PLQSy7P4sycF34w+18NuvZNdjJ+f7rG\n-----END OPENSSH PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "here it is -----BEGIN ENCRYPTED PRIVATE KEY-----\n4kxQLNMdLDf+qzEt8D2LMoyFjvFfWsC/25IrX4h4X5R6+dlmxx5Upes7rvthwx99\nQ1OFOpw62/cERC7wR3kD36xHmMPc2rCXkPs1as3fAgjGxWYe2jFCFKTW4/TN6UUP\nXPIQ54zRW5EQ39lel+eL30eGMP6wbZCFn4xJmkh59r/FW5LTFAc5lufKNcR9tOaA\n24EVokYSsWuU2/z8i0z7FzV0zSggVfC1TcD4pL5yrgx1uq3t+br2giDr5bXRQ7Qp\nBJz2bFabb5o8B+KThb8QxjdDAToUtHWjBRodnb02aDqYpB372asuPG2k45T6P93h\nZUKGysLPyo/hyklX8fLDPuswetnc97tPqXfT2hedIsO0Bk1GIIL4O4moe7VRnb0n\nCC8BHfiG0WeFInZq6TUwAGtwhlSQRO5nLXuhbbg8KTG16P//30IRBuXXNosbw3il\neILm1DipESpT5+uPtdESdzynbJBiEZ/MaN378D+QI3uOcc0WnIHZnCVLKmCp+R6f\notCJNBE9onAK4qjtTGCzY48yC0AIv1l0ohJ395bsKLqjLuR73t7C0QqS+xMNYlcr\n/e97rD+2WT4Ke/7k4Ks7mtqedK145o+WF0EK+Wc6RW9hwHni3R5jlWtxHyTKuQ/t\nM10l5UeYcVeaI9BeehiZKL9P0tF7irt79apF8NiM5aKPnkoceFPeCT/6ttj5IvYv\n-----END ENCRYPTED PRIVATE KEY----- thanks",
    secret:
      "-----BEGIN ENCRYPTED PRIVATE KEY-----\n4kxQLNMdLDf+qzEt8D2LMoyFjvFfWsC/25IrX4h4X5R6+dlmxx5Upes7rvthwx99\nQ1OFOpw62/cERC7wR3kD36xHmMPc2rCXkPs1as3fAgjGxWYe2jFCFKTW4/TN6UUP\nXPIQ54zRW5EQ39lel+eL30eGMP6wbZCFn4xJmkh59r/FW5LTFAc5lufKNcR9tOaA\n24EVokYSsWuU2/z8i0z7FzV0zSggVfC1TcD4pL5yrgx1uq3t+br2giDr5bXRQ7Qp\nBJz2bFabb5o8B+KThb8QxjdDAToUtHWjBRodnb02aDqYpB372asuPG2k45T6P93h\nZUKGysLPyo/hyklX8fLDPuswetnc97tPqXfT2hedIsO0Bk1GIIL4O4moe7VRnb0n\nCC8BHfiG0WeFInZq6TUwAGtwhlSQRO5nLXuhbbg8KTG16P//30IRBuXXNosbw3il\neILm1DipESpT5+uPtdESdzynbJBiEZ/MaN378D+QI3uOcc0WnIHZnCVLKmCp+R6f\notCJNBE9onAK4qjtTGCzY48yC0AIv1l0ohJ395bsKLqjLuR73t7C0QqS+xMNYlcr\n/e97rD+2WT4Ke/7k4Ks7mtqedK145o+WF0EK+Wc6RW9hwHni3R5jlWtxHyTKuQ/t\nM10l5UeYcVeaI9BeehiZKL9P0tF7irt79apF8NiM5aKPnkoceFPeCT/6ttj5IvYv\n-----END ENCRYPTED PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "key:\n-----BEGIN DSA PRIVATE KEY-----\nPcucgQO9YUcmqqGyjnfmOwZIPA3phi+Gq0iHwTa5AXUTqlKAJdu7x9IlAYl0eAjA\nC0OW41+f/4Ot8mWJUjVmRglKAsm0xLpQrqL1Uk5U2lPm19Za2x86PpR/McFwvJgm\nZBYm1M55vV/bR8GxKRttajZ4N6j2OVZGchTzNBqRbCnNAxw5Yn2LAfHXEYR+qpfd\nlASlfa/cJTu7rAe4E3/+bhEq6DzyllnTrYAF4COgeztn557R69Pw32chGbJ9RyVW\nxllCEq7AVyic7267lvm48SLuEs321g//s6CGnk01w7gSDPtoaCFdatcQrnNpeRck\nhw7LtYVGl4i/MZ2yReXqIVcv5fCeE596StBO9F7ZZ//CQen0h/XWs74vxqm4mtqH\n-----END DSA PRIVATE KEY-----\n",
    secret:
      "-----BEGIN DSA PRIVATE KEY-----\nPcucgQO9YUcmqqGyjnfmOwZIPA3phi+Gq0iHwTa5AXUTqlKAJdu7x9IlAYl0eAjA\nC0OW41+f/4Ot8mWJUjVmRglKAsm0xLpQrqL1Uk5U2lPm19Za2x86PpR/McFwvJgm\nZBYm1M55vV/bR8GxKRttajZ4N6j2OVZGchTzNBqRbCnNAxw5Yn2LAfHXEYR+qpfd\nlASlfa/cJTu7rAe4E3/+bhEq6DzyllnTrYAF4COgeztn557R69Pw32chGbJ9RyVW\nxllCEq7AVyic7267lvm48SLuEs321g//s6CGnk01w7gSDPtoaCFdatcQrnNpeRck\nhw7LtYVGl4i/MZ2yReXqIVcv5fCeE596StBO9F7ZZ//CQen0h/XWs74vxqm4mtqH\n-----END DSA PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "-----BEGIN PGP PRIVATE KEY BLOCK-----\n5tERjTNJNIEtfGwtmYsQKCr9CSP2Th7Zp8Wh9fdtoFaTkyuoEumHsyU4jGZMK5Xp\nUVOkm96armWH9MsCfC/5SqYqsJ+ZWx2TwqZ1HIB9IXU683wYOpGuyljFhEzFnn3L\nh+ySZLjtaVo4UDVRfoRVqIhiwismTVudHNBN0Lnax22Y+Pa6c7ZXlEBbKSuYpcxw\noyCsJDKo04tWixLHfJsiGXOKg2/4D+ZDZWBth0LutS6SijYh/bEjhbT9SKatSbkx\n5pNor6d5Yk7bZUsxTau/f/IbnwIDx+9eRBfMIffpO2RIETWAn1j5Xi8eXU/NnA/F\nP5SRG8btV0C91HRNenzSUeZPrD4hrqZaLG70gj9O5iBM2A7uKuIvi/33qqM9LYgz\n/NZqlRwAERxPFrOzCArj7PrEiKF1vYok2xq0XlZlD8s36BhH9cfhR+MUL6gKE75k\n1nXd+7SKgkZ7JlWkinOAS5qtlHAbkOXuGnVfu0GMJ8VvoTZFoHxQjd+Lsp4h5MSJ\n6SZLZQnMLJc7kxsLVajwF/HN+mH/KdyWWszUcRZ5IrqGvhZD2abOtQJKOzNIyZaR\nZP5z4O1KTB+ECcaMQGsAPzThI7eW3wuzoBEGNwjy8BrDW70kt0RCjmBX8rdeHy2G\nmMaPu384BmlEUqJRuAukDFZ9VAR5dfN2JVErplpFd/CrDGOikpec5sVxoSP9suRj\n1mfqkTlC5MMkXMBVDwdgWj5xGJSu+l+JfZKKDvw3eP00q8CKff7SiHzBXRGMgJyS\n-----END PGP PRIVATE KEY BLOCK-----",
    secret:
      "-----BEGIN PGP PRIVATE KEY BLOCK-----\n5tERjTNJNIEtfGwtmYsQKCr9CSP2Th7Zp8Wh9fdtoFaTkyuoEumHsyU4jGZMK5Xp\nUVOkm96armWH9MsCfC/5SqYqsJ+ZWx2TwqZ1HIB9IXU683wYOpGuyljFhEzFnn3L\nh+ySZLjtaVo4UDVRfoRVqIhiwismTVudHNBN0Lnax22Y+Pa6c7ZXlEBbKSuYpcxw\noyCsJDKo04tWixLHfJsiGXOKg2/4D+ZDZWBth0LutS6SijYh/bEjhbT9SKatSbkx\n5pNor6d5Yk7bZUsxTau/f/IbnwIDx+9eRBfMIffpO2RIETWAn1j5Xi8eXU/NnA/F\nP5SRG8btV0C91HRNenzSUeZPrD4hrqZaLG70gj9O5iBM2A7uKuIvi/33qqM9LYgz\n/NZqlRwAERxPFrOzCArj7PrEiKF1vYok2xq0XlZlD8s36BhH9cfhR+MUL6gKE75k\n1nXd+7SKgkZ7JlWkinOAS5qtlHAbkOXuGnVfu0GMJ8VvoTZFoHxQjd+Lsp4h5MSJ\n6SZLZQnMLJc7kxsLVajwF/HN+mH/KdyWWszUcRZ5IrqGvhZD2abOtQJKOzNIyZaR\nZP5z4O1KTB+ECcaMQGsAPzThI7eW3wuzoBEGNwjy8BrDW70kt0RCjmBX8rdeHy2G\nmMaPu384BmlEUqJRuAukDFZ9VAR5dfN2JVErplpFd/CrDGOikpec5sVxoSP9suRj\n1mfqkTlC5MMkXMBVDwdgWj5xGJSu+l+JfZKKDvw3eP00q8CKff7SiHzBXRGMgJyS\n-----END PGP PRIVATE KEY BLOCK-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: '"private_key": "-----BEGIN RSA PRIVATE KEY-----\\n54QASIjzqg9bnM03NSugDt4lcStVF56U2RkP0bxcG9zeo3/tm6fU/cYspPggCMBd\\nQljxV4kNqyKJ+vQLnGct8D4motPe0HNxf4cZF5iwjftGCXhafXSbtySMlU/nmXPT\\nr4pKqmBnl9b5caVWl0/BZwwhJNkqL9rnJxQiwhXe9xKehADfxybCgVpijowou7SX\\nW8dAzhzQT7IEQnP7e+/v1S68Uism0Lhc6eHoLCVYdF2wfnUdp6FSJYXoUQGTUOVa\\nF6o2kAiEx8TEF7LvVC3pyttef01Iw7vC8hCXJRp4do3mLKJiz5jTU/qT7X/7gdTC\\n-----END RSA PRIVATE KEY-----"',
    secret:
      "-----BEGIN RSA PRIVATE KEY-----\\n54QASIjzqg9bnM03NSugDt4lcStVF56U2RkP0bxcG9zeo3/tm6fU/cYspPggCMBd\\nQljxV4kNqyKJ+vQLnGct8D4motPe0HNxf4cZF5iwjftGCXhafXSbtySMlU/nmXPT\\nr4pKqmBnl9b5caVWl0/BZwwhJNkqL9rnJxQiwhXe9xKehADfxybCgVpijowou7SX\\nW8dAzhzQT7IEQnP7e+/v1S68Uism0Lhc6eHoLCVYdF2wfnUdp6FSJYXoUQGTUOVa\\nF6o2kAiEx8TEF7LvVC3pyttef01Iw7vC8hCXJRp4do3mLKJiz5jTU/qT7X/7gdTC\\n-----END RSA PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "here it is -----BEGIN PRIVATE KEY-----\nYV9AX41Ycrqhd277XtHfso9xe/yMPKJLlct6XuosJE/oCF67fLtiZZw8yBpUOH2N\npGrO9MBIt3t3IQpkXo2KsPTs0CC4VA+i/tQgnf0DtUDr0QiQDfhKhHCGFNaYXHyJ\nVOEEivMxpfQYmfoF3xFv7n6yAoN1GaI6VH9t5cy3jVbode04i3mn0Z7GzsgkKDkw\n5EIr7+/UfhkZZF6KrykumPlwBaY8Nc6UvYW2XhGjOoUbqbT823CHjIdePeq5Qzzy\nnNb2op7QFSdkf64rEf4CsVz+e5PA+ExXlOEX62/vlcHBpyE+txa4UOOKcj1oUZb1\nCNCj0rzRDSgFfLGiVt49wR/9UQFxsP6l5+B1qvySLk+7wXV4sOLQUTXDBK88dor7 thanks",
    secret:
      "-----BEGIN PRIVATE KEY-----\nYV9AX41Ycrqhd277XtHfso9xe/yMPKJLlct6XuosJE/oCF67fLtiZZw8yBpUOH2N\npGrO9MBIt3t3IQpkXo2KsPTs0CC4VA+i/tQgnf0DtUDr0QiQDfhKhHCGFNaYXHyJ\nVOEEivMxpfQYmfoF3xFv7n6yAoN1GaI6VH9t5cy3jVbode04i3mn0Z7GzsgkKDkw\n5EIr7+/UfhkZZF6KrykumPlwBaY8Nc6UvYW2XhGjOoUbqbT823CHjIdePeq5Qzzy\nnNb2op7QFSdkf64rEf4CsVz+e5PA+ExXlOEX62/vlcHBpyE+txa4UOOKcj1oUZb1\nCNCj0rzRDSgFfLGiVt49wR/9UQFxsP6l5+B1qvySLk+7wXV4sOLQUTXDBK88dor7",
  },
  {
    detector: "PRIVATE_KEY",
    text: "key:\n-----BEGIN EC PRIVATE KEY-----\nSvSlPP/aOVK8KetvdI0oKGXVAEl3smc1JMwLtKR6Z2P4HbZ/E40k6AF4KtOrw0QL\nMbSzPjIZiUjEUgrNlNhoTJb2JI8etLje5Vt25uzJADcvHbkgua0w3cQLQJjwwtIb\ncjRuo4PBneokqbf5Lap8P++gm0t/9gEoV0hnwfYCTvh2OGexb+CEeWLkTSrK1tH/\nhWzzn1L6pQSkDI5fNH1QGS5FC8lejhzL73CDR914/290yyx9Lq2u7W4ga9iuv0An\no5ndstwvzTjd/z8WQnPPmlgnxoUy+oQ0ZwjjRGA4wxfy9so+fOYxDJH3V+uJXwBN\nZIe3PcIbhqHkMXwtIiROx4tH/V6OPbQUTvIV5oAcY42NU7x5m8UkJA1zzmE/IWC2\n-----END EC PRIVATE KEY-----\n",
    secret:
      "-----BEGIN EC PRIVATE KEY-----\nSvSlPP/aOVK8KetvdI0oKGXVAEl3smc1JMwLtKR6Z2P4HbZ/E40k6AF4KtOrw0QL\nMbSzPjIZiUjEUgrNlNhoTJb2JI8etLje5Vt25uzJADcvHbkgua0w3cQLQJjwwtIb\ncjRuo4PBneokqbf5Lap8P++gm0t/9gEoV0hnwfYCTvh2OGexb+CEeWLkTSrK1tH/\nhWzzn1L6pQSkDI5fNH1QGS5FC8lejhzL73CDR914/290yyx9Lq2u7W4ga9iuv0An\no5ndstwvzTjd/z8WQnPPmlgnxoUy+oQ0ZwjjRGA4wxfy9so+fOYxDJH3V+uJXwBN\nZIe3PcIbhqHkMXwtIiROx4tH/V6OPbQUTvIV5oAcY42NU7x5m8UkJA1zzmE/IWC2\n-----END EC PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "-----BEGIN OPENSSH PRIVATE KEY-----\nc2nHuAF/rlmU97PnJAZzrxwtkSAn51mN4gDZfo0c/qRqy1hdnZVwgDInjNN18qvx\nH46OeN5E/CtDTDArMTF9sb7a3//GAgljyNpsbtAaf+fNZDLYXSMmfKfr0mClIGUM\nNsA/L7s+2CBCkvfpyaIavTYB9WzrPt9jWbvc26/EE1DR404zvm0JxigbpMuYtc3d\n9R7uMvEToaB1z3MVVOwlHY9omMj/wbfOQERhisbfReAfKcv8PYvEI06kNKPeT7C3\nr82YA1hSUaHWxSoSqi9yiI/0/sRUZRTVmU9Xcx8HrhS3JK91JYXYLZow0hySRC93\n+Pkg+Mdws3aBd91AzWdgD1m2yC3N8Gr0xxiyLYpC2DOb+p41IIDoaKOseiKqcq4y\nBq5nnaYu+EGj49CsFI0Fm6GVNkB0LdPNSdkFCDu/SQZhs+dez7RbO05yXbqi185J\nTr76DvU669hKKCnP/aMOx0WWheWyxP6AojouDcCsv8ttqPkM/c+9FaOiJ2DLBUlN\n-----END OPENSSH PRIVATE KEY-----",
    secret:
      "-----BEGIN OPENSSH PRIVATE KEY-----\nc2nHuAF/rlmU97PnJAZzrxwtkSAn51mN4gDZfo0c/qRqy1hdnZVwgDInjNN18qvx\nH46OeN5E/CtDTDArMTF9sb7a3//GAgljyNpsbtAaf+fNZDLYXSMmfKfr0mClIGUM\nNsA/L7s+2CBCkvfpyaIavTYB9WzrPt9jWbvc26/EE1DR404zvm0JxigbpMuYtc3d\n9R7uMvEToaB1z3MVVOwlHY9omMj/wbfOQERhisbfReAfKcv8PYvEI06kNKPeT7C3\nr82YA1hSUaHWxSoSqi9yiI/0/sRUZRTVmU9Xcx8HrhS3JK91JYXYLZow0hySRC93\n+Pkg+Mdws3aBd91AzWdgD1m2yC3N8Gr0xxiyLYpC2DOb+p41IIDoaKOseiKqcq4y\nBq5nnaYu+EGj49CsFI0Fm6GVNkB0LdPNSdkFCDu/SQZhs+dez7RbO05yXbqi185J\nTr76DvU669hKKCnP/aMOx0WWheWyxP6AojouDcCsv8ttqPkM/c+9FaOiJ2DLBUlN\n-----END OPENSSH PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: '"private_key": "-----BEGIN ENCRYPTED PRIVATE KEY-----\nGbasJX0Wi4Fe8o1U4BtSnAXB+zB2vTCPKNgz9s4Nt2PXQ6sABhqY/m3y22usS9R7\nJtbxy4AHzHRAxbHb1jruQ5/+tuQsJYtSeN0hgOuVW4o+8bOk81r0UP0npeqBXfYO\nL7Pkl99Wi2/MFHwACwhlPxgTuc4tsYO2qDE40mExKw2AEj3F8CXvCjFlguOvMaCo\nrjuAWIoD7twNby0lKebAiX+cVlxEnKto4F5H5uD6scDTBnzMSRnbBbLTG/0DsVBX\nXnKw5vep9wdlnRVNER7fsv1Pk/rc63L8qlJsS3zzRBTxScF+AUyYyxiGd9sQ0Mq+\nsK8inajfsT9mwa6dLys5AmhEq/lW3tM6j8sJYkmqLCKaF51PgArbSsAdNXxm42nv\nSPAqHiezSl1LK2zbWLS3Iiw5l0D2657tkXD8pr/mldULDxGYtvNW3stFKJ5faKXK\nJwiFfiu1cizy+54d2QMr21QaGJr1tQB9hXA2jKQJnlPzB3sd1D59BV5e8FfNv9PZ\nRLhlrRg8IELCqRQWQsVsLzyONqe1UaMHbfuuPDny+12/ysUFxovY9I+Du2vJLW04\n-----END ENCRYPTED PRIVATE KEY-----"',
    secret:
      "-----BEGIN ENCRYPTED PRIVATE KEY-----\nGbasJX0Wi4Fe8o1U4BtSnAXB+zB2vTCPKNgz9s4Nt2PXQ6sABhqY/m3y22usS9R7\nJtbxy4AHzHRAxbHb1jruQ5/+tuQsJYtSeN0hgOuVW4o+8bOk81r0UP0npeqBXfYO\nL7Pkl99Wi2/MFHwACwhlPxgTuc4tsYO2qDE40mExKw2AEj3F8CXvCjFlguOvMaCo\nrjuAWIoD7twNby0lKebAiX+cVlxEnKto4F5H5uD6scDTBnzMSRnbBbLTG/0DsVBX\nXnKw5vep9wdlnRVNER7fsv1Pk/rc63L8qlJsS3zzRBTxScF+AUyYyxiGd9sQ0Mq+\nsK8inajfsT9mwa6dLys5AmhEq/lW3tM6j8sJYkmqLCKaF51PgArbSsAdNXxm42nv\nSPAqHiezSl1LK2zbWLS3Iiw5l0D2657tkXD8pr/mldULDxGYtvNW3stFKJ5faKXK\nJwiFfiu1cizy+54d2QMr21QaGJr1tQB9hXA2jKQJnlPzB3sd1D59BV5e8FfNv9PZ\nRLhlrRg8IELCqRQWQsVsLzyONqe1UaMHbfuuPDny+12/ysUFxovY9I+Du2vJLW04\n-----END ENCRYPTED PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "here it is -----BEGIN DSA PRIVATE KEY-----\\n4ouzeoyZQRM3CE17IUmlcALRMgVra6C8wadaZ/AcZNEpBA/cqh9O42Gfrw1elNey\\nud0JEGVYf4YpzjrsseGMVusVCGpkKiNXvuAV8Qv4oTguGk2K4jYIANiBffaN9tXb\\nBNROul9PNl0XihegmGcVxgLLggpyPf2NmhtHM10g/Yxff8RIjcJ0PThTUakGdnyW\\nv6bWNYnMD9MAnXdzCtZdzOYPRozar3qzYsKI5d/wDSwP4Tj62wCFy5A7VwELfk8O\\nRioRkutxGEi62pMMe8KSht3BGcQQcyFz+9v0jpuORnh+HPePv4uMkBzLEbmAfkQp\\nSUlF6h6llvOQzHjKYTn5dOHB9KQiHTSCT4j98bX251IDtzP6KmzZpOzwLUV+Bw9S\\nZ2uBLOEinN65VYTVXiUDvWUVcqKnXU5yk+Q6eQRr1HpeDXXsLRho447A//DqzIkW\\n5EAx97t1qjnhrylzMhnuHbNRfrdlS2l68dxurhgaHFD4djWcoGZWwbHr5fwCNcgr\\ngwTJrzUL9EZE6Zkqw7Ge10RyOH9vKo/7RtFMggj/WT3A5jedcRi1vTU4pXvdQzx1\\nYKOdtlQIMvvlq3m9oo6oWUEWvWIw2gCaKEM3ntMfxBlcbaLoFob2AgU9TRP3uRS9\\n-----END DSA PRIVATE KEY----- thanks",
    secret:
      "-----BEGIN DSA PRIVATE KEY-----\\n4ouzeoyZQRM3CE17IUmlcALRMgVra6C8wadaZ/AcZNEpBA/cqh9O42Gfrw1elNey\\nud0JEGVYf4YpzjrsseGMVusVCGpkKiNXvuAV8Qv4oTguGk2K4jYIANiBffaN9tXb\\nBNROul9PNl0XihegmGcVxgLLggpyPf2NmhtHM10g/Yxff8RIjcJ0PThTUakGdnyW\\nv6bWNYnMD9MAnXdzCtZdzOYPRozar3qzYsKI5d/wDSwP4Tj62wCFy5A7VwELfk8O\\nRioRkutxGEi62pMMe8KSht3BGcQQcyFz+9v0jpuORnh+HPePv4uMkBzLEbmAfkQp\\nSUlF6h6llvOQzHjKYTn5dOHB9KQiHTSCT4j98bX251IDtzP6KmzZpOzwLUV+Bw9S\\nZ2uBLOEinN65VYTVXiUDvWUVcqKnXU5yk+Q6eQRr1HpeDXXsLRho447A//DqzIkW\\n5EAx97t1qjnhrylzMhnuHbNRfrdlS2l68dxurhgaHFD4djWcoGZWwbHr5fwCNcgr\\ngwTJrzUL9EZE6Zkqw7Ge10RyOH9vKo/7RtFMggj/WT3A5jedcRi1vTU4pXvdQzx1\\nYKOdtlQIMvvlq3m9oo6oWUEWvWIw2gCaKEM3ntMfxBlcbaLoFob2AgU9TRP3uRS9\\n-----END DSA PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "key:\n-----BEGIN PGP PRIVATE KEY BLOCK-----\nJbAVlVqKkwhYRpQ9LPmbnPFZV1rrJQDdXmA6e3LsX7Yr2SvE887Su7B/Ydg5grN6\nZKVP74/tEGEvsl/OtenE2m+5piJ1xLeJWlmeDvrouY7T3jtGR3KRgH5VKNnNfS4f\nTbPLs+KZLUiVVF62mlVzEeMbc9mUABPYsZ2mJj0efrzVOVk40MFc9y3sDcPXwjfv\nr0vJJ5fCnsnJJStxcky2MlS8SD/S7o9dSIdcyU0u5bI6oX47Ru4+emEJjpmhaNoe\nH5VViWyeNddx2+rl2szIH6Xoy/iew/uPFV6TEhbUEkR7WaUYl8LQm3Pf8BSVzbkP\nBlntS/dhtkfAq39eildOV6g4BUAIweffzN5fVoeKAmhYpWOqdprSfIjtmxSSE0G9\n4Sy4wgQ5AveLlIHLj03MJ73aEzvKtHpwk8B8HWuExxcNJcYGjmu1G5bt7OG7QXd4\nseDzWNrN2cUOo+HSRnyuQ9lqfLqZfbW3XRDixq7QMu9sHNppE2CtN9qTVq0ew3GZ\n2mWgsy+4XUIdi1x6ABifypGjyPguc021SniWH5FOIFy6TFRtD+oNTSWvkiXeP/X2\n/TcE7PVlJ+K00SB9O9H4bcFg+U///qwSC5Hx8GTQ++bjt/6FkZE/rxtCX4UbpMZT\nicWmzfXYk6stXOcqZqFck5yu60lE4NeoEWtaNwtjgfXCD1TSGrYhRHahpfudWdEl\n-----END PGP PRIVATE KEY BLOCK-----\n",
    secret:
      "-----BEGIN PGP PRIVATE KEY BLOCK-----\nJbAVlVqKkwhYRpQ9LPmbnPFZV1rrJQDdXmA6e3LsX7Yr2SvE887Su7B/Ydg5grN6\nZKVP74/tEGEvsl/OtenE2m+5piJ1xLeJWlmeDvrouY7T3jtGR3KRgH5VKNnNfS4f\nTbPLs+KZLUiVVF62mlVzEeMbc9mUABPYsZ2mJj0efrzVOVk40MFc9y3sDcPXwjfv\nr0vJJ5fCnsnJJStxcky2MlS8SD/S7o9dSIdcyU0u5bI6oX47Ru4+emEJjpmhaNoe\nH5VViWyeNddx2+rl2szIH6Xoy/iew/uPFV6TEhbUEkR7WaUYl8LQm3Pf8BSVzbkP\nBlntS/dhtkfAq39eildOV6g4BUAIweffzN5fVoeKAmhYpWOqdprSfIjtmxSSE0G9\n4Sy4wgQ5AveLlIHLj03MJ73aEzvKtHpwk8B8HWuExxcNJcYGjmu1G5bt7OG7QXd4\nseDzWNrN2cUOo+HSRnyuQ9lqfLqZfbW3XRDixq7QMu9sHNppE2CtN9qTVq0ew3GZ\n2mWgsy+4XUIdi1x6ABifypGjyPguc021SniWH5FOIFy6TFRtD+oNTSWvkiXeP/X2\n/TcE7PVlJ+K00SB9O9H4bcFg+U///qwSC5Hx8GTQ++bjt/6FkZE/rxtCX4UbpMZT\nicWmzfXYk6stXOcqZqFck5yu60lE4NeoEWtaNwtjgfXCD1TSGrYhRHahpfudWdEl\n-----END PGP PRIVATE KEY BLOCK-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "-----BEGIN RSA PRIVATE KEY-----\nVZ6Dr3P3zEizxDSmGiv06yr+jK/Ta5kym3Sy2K3xsr+ZtQECt/Y7EbcBP9+cK9Os\nhi+X0lRfHeCsDnge2IFur4+RHe00modONTVI74Xvj6ARaWr7hLXzDc+zeryGfZ6/\ndeQNUkqupiYYJf4DLV40JuPeLmhXKJ5hWMhmTC++CwhKRw4PW6Td8bOILrhd7J/c\nj7CYhA2h5pkG8mliu905r9rCKptn/VDBgP9u9eG70IrCCZ37KSNI8udI9oVbHmSN\n227imtY+jiafbpdtPbjXsS0KOqd+YBw+G+hMno90pIWVogbytab9YRNn8obT/gNP\n7/aU6ul3Jz69MjPgpNQ3l3q7LhO5fqtkV1SnnXjY6z6NRRxOw9797FtCYMbVi/KD\nOkSl4+F9sdXlDCgLpQHNe5IdHrOefudR/Llmsg6pjZpKmlMeaLSbhBlYrYDkfvca\nWi8kbtgx/BXjw+n0lY3FedlL8c2JVbWJMp3p9FfNVXgx9V8NZqbNCUoUBGdkC6Lx\nSRv9pr7HUd1OoY3GZr0O1cszPJ3sd4KrtLLoL2gDDErerxUsQ2jhGuVEuz9KfCcQ\nct9/Fmy48CQha/XLvLPuXiSojtjKSEvenolcYfd7VntmGcexzNrezxINQU31TYXR\nP125AouD9wdV/I/OcNUDDaDwiR8yctVJbw4Yssz1seDNjAHeNdy0gY+uJ3vf5oIF\nC7ToYXKdQSiCPIvzozbRHOTvLHR7JDL/XBdBokb+wxyDbcczaNcSN70lBs5QmfsV\n-----END RSA PRIVATE KEY-----",
    secret:
      "-----BEGIN RSA PRIVATE KEY-----\nVZ6Dr3P3zEizxDSmGiv06yr+jK/Ta5kym3Sy2K3xsr+ZtQECt/Y7EbcBP9+cK9Os\nhi+X0lRfHeCsDnge2IFur4+RHe00modONTVI74Xvj6ARaWr7hLXzDc+zeryGfZ6/\ndeQNUkqupiYYJf4DLV40JuPeLmhXKJ5hWMhmTC++CwhKRw4PW6Td8bOILrhd7J/c\nj7CYhA2h5pkG8mliu905r9rCKptn/VDBgP9u9eG70IrCCZ37KSNI8udI9oVbHmSN\n227imtY+jiafbpdtPbjXsS0KOqd+YBw+G+hMno90pIWVogbytab9YRNn8obT/gNP\n7/aU6ul3Jz69MjPgpNQ3l3q7LhO5fqtkV1SnnXjY6z6NRRxOw9797FtCYMbVi/KD\nOkSl4+F9sdXlDCgLpQHNe5IdHrOefudR/Llmsg6pjZpKmlMeaLSbhBlYrYDkfvca\nWi8kbtgx/BXjw+n0lY3FedlL8c2JVbWJMp3p9FfNVXgx9V8NZqbNCUoUBGdkC6Lx\nSRv9pr7HUd1OoY3GZr0O1cszPJ3sd4KrtLLoL2gDDErerxUsQ2jhGuVEuz9KfCcQ\nct9/Fmy48CQha/XLvLPuXiSojtjKSEvenolcYfd7VntmGcexzNrezxINQU31TYXR\nP125AouD9wdV/I/OcNUDDaDwiR8yctVJbw4Yssz1seDNjAHeNdy0gY+uJ3vf5oIF\nC7ToYXKdQSiCPIvzozbRHOTvLHR7JDL/XBdBokb+wxyDbcczaNcSN70lBs5QmfsV\n-----END RSA PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: '"private_key": "-----BEGIN PRIVATE KEY-----\nqmEU4O4OUQERHWe0lfU1yW0FMty9fWn95OGIHoGsc42sS8t8YoXmTbny96MOYtYH\nFf4fiunB8jA7v8PZoztr+ABLsAQoy1PZJDOjOkG49RWwR/r5zmQFVoCMw8lZwj5i\nXg2S4uAcyuzpG1WcwWeIBJgcX3wzusSE6hHulbEowB18nxJUcXXkkCXyf/JVE0KP\n-----END PRIVATE KEY-----"',
    secret:
      "-----BEGIN PRIVATE KEY-----\nqmEU4O4OUQERHWe0lfU1yW0FMty9fWn95OGIHoGsc42sS8t8YoXmTbny96MOYtYH\nFf4fiunB8jA7v8PZoztr+ABLsAQoy1PZJDOjOkG49RWwR/r5zmQFVoCMw8lZwj5i\nXg2S4uAcyuzpG1WcwWeIBJgcX3wzusSE6hHulbEowB18nxJUcXXkkCXyf/JVE0KP\n-----END PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "here it is -----BEGIN EC PRIVATE KEY-----\n5GdxpgKffFh1YdBL5sBOo8+nTRbaYnTrWXofFY0bYoavhSTcV+DM2BP1EK0K95Ss\n6iiQBSgiJODVj6aNWpji4X5JphkO365gUwXwnFHdRojGUdvmdKKJCVL6kxXH1uoW\ndy+LB454pLrrh/ZO0WwWiI7STogwiAiuWBMKmhrlLtN9NmizTeIYwQXX6XKNHeRs\ntrymjidinTNJVoie370L3gHMRHts+jEQSdv7Z+MlZ7BETDtWsKPvBFiMzwYhUStk\nETcmzeLEXo0tBSVRgF/vZVtt6cWwxhxh3UlPvCiOzwhZftZjEC8gGlbchHorGNys\nefvl0bm83Gjm6mUswlezEiUbp3E/PYuGxnqnWHWcA2LA3XlxTJhdR7CRJX3R0oGF\nGryYpsDJ4sp49RMwZ52Jk7B49DFbERA6SR+2ssJMyX3Zj/JH/vkRDEGlZPDC4vBN\ngf2cpqn70VexDZLbTD7CWyGZcoBSXGp1cuacJdqi8cDHdC5QaUEnUDddbaybvLgQ thanks",
    secret:
      "-----BEGIN EC PRIVATE KEY-----\n5GdxpgKffFh1YdBL5sBOo8+nTRbaYnTrWXofFY0bYoavhSTcV+DM2BP1EK0K95Ss\n6iiQBSgiJODVj6aNWpji4X5JphkO365gUwXwnFHdRojGUdvmdKKJCVL6kxXH1uoW\ndy+LB454pLrrh/ZO0WwWiI7STogwiAiuWBMKmhrlLtN9NmizTeIYwQXX6XKNHeRs\ntrymjidinTNJVoie370L3gHMRHts+jEQSdv7Z+MlZ7BETDtWsKPvBFiMzwYhUStk\nETcmzeLEXo0tBSVRgF/vZVtt6cWwxhxh3UlPvCiOzwhZftZjEC8gGlbchHorGNys\nefvl0bm83Gjm6mUswlezEiUbp3E/PYuGxnqnWHWcA2LA3XlxTJhdR7CRJX3R0oGF\nGryYpsDJ4sp49RMwZ52Jk7B49DFbERA6SR+2ssJMyX3Zj/JH/vkRDEGlZPDC4vBN\ngf2cpqn70VexDZLbTD7CWyGZcoBSXGp1cuacJdqi8cDHdC5QaUEnUDddbaybvLgQ",
  },
  {
    detector: "PRIVATE_KEY",
    text: "key:\n-----BEGIN OPENSSH PRIVATE KEY-----\\n6cmi33wFCpcbcyLC0D2xiRiVzzumYKi+6bwhVuedWugPp0hsPAdrJ8GVqT9v+aII\\naPnUQg+alNeFXfVkpUu2rxsYwKdvZiwFPq2k3sEpGH7lzJ00ACD7vrb3z6dnMagm\\noAY2QhVvjtTmYwWzHber/Pm3yy48J9sQiQD081ie9Qv7D42POp9Cb8v8aXxV81Wl\\n5fHP0GuVfk4U1VR/rPjafO+gj8pyyl/viAFMkrszLN2J+d12ZUdDigMXTDQDHFhd\\nAUBkFHol5mrTyXpL2hLIbLaE9hDosJddp7Q2jS42kMn1B/NPG4iAMHWGFhSj6ga7\\njZyNW+B+L1FfVRH7xadFYgTNC9nvJESac7imPuDTaw47GtNsXY5GNWZtv1QMLHX3\\nujjNBykH4O+gjKbUiLykyw71W3G6tTlFgLG7IvS9/VAIXiFop4cGpImp1yPH+uOG\\n-----END OPENSSH PRIVATE KEY-----\n",
    secret:
      "-----BEGIN OPENSSH PRIVATE KEY-----\\n6cmi33wFCpcbcyLC0D2xiRiVzzumYKi+6bwhVuedWugPp0hsPAdrJ8GVqT9v+aII\\naPnUQg+alNeFXfVkpUu2rxsYwKdvZiwFPq2k3sEpGH7lzJ00ACD7vrb3z6dnMagm\\noAY2QhVvjtTmYwWzHber/Pm3yy48J9sQiQD081ie9Qv7D42POp9Cb8v8aXxV81Wl\\n5fHP0GuVfk4U1VR/rPjafO+gj8pyyl/viAFMkrszLN2J+d12ZUdDigMXTDQDHFhd\\nAUBkFHol5mrTyXpL2hLIbLaE9hDosJddp7Q2jS42kMn1B/NPG4iAMHWGFhSj6ga7\\njZyNW+B+L1FfVRH7xadFYgTNC9nvJESac7imPuDTaw47GtNsXY5GNWZtv1QMLHX3\\nujjNBykH4O+gjKbUiLykyw71W3G6tTlFgLG7IvS9/VAIXiFop4cGpImp1yPH+uOG\\n-----END OPENSSH PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "-----BEGIN ENCRYPTED PRIVATE KEY-----\nEK6jllCwPdWcKkxuKThYI7w2Uq8KqndRK3dlqdnoh/nCcTIy4ZPrtJ2HmIztv1Vy\np5ztBvF+nAH91enEY83+EJIGkPt0Dqq5SNsbTF9+4x2Jwo5z8rRWdZnXf2Fx1ieW\nNRWhr4lke5M9PXf8XjoR/U08G5wsyM6048k7AHp8KUyTUcmm/AZGv3giQCIzYK7g\n9gDrN8ifnl8YfQArBo7GPUDIY9c2AUc8K/YSabVGC9+O7M2pTjnC57Wld4hH/Q30\npDG66ra5TG4c/ZzGxP5A2RtD2IA+y19Ackxe9ivEK2DYZD/9J8yKLzh8+KySIRHR\n-----END ENCRYPTED PRIVATE KEY-----",
    secret:
      "-----BEGIN ENCRYPTED PRIVATE KEY-----\nEK6jllCwPdWcKkxuKThYI7w2Uq8KqndRK3dlqdnoh/nCcTIy4ZPrtJ2HmIztv1Vy\np5ztBvF+nAH91enEY83+EJIGkPt0Dqq5SNsbTF9+4x2Jwo5z8rRWdZnXf2Fx1ieW\nNRWhr4lke5M9PXf8XjoR/U08G5wsyM6048k7AHp8KUyTUcmm/AZGv3giQCIzYK7g\n9gDrN8ifnl8YfQArBo7GPUDIY9c2AUc8K/YSabVGC9+O7M2pTjnC57Wld4hH/Q30\npDG66ra5TG4c/ZzGxP5A2RtD2IA+y19Ackxe9ivEK2DYZD/9J8yKLzh8+KySIRHR\n-----END ENCRYPTED PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: '"private_key": "-----BEGIN DSA PRIVATE KEY-----\nHZMBHj1VwNskbioEUVsPvVVVrC41wlhNxgQyxysbEcV2g5Ljh+pSdTTldSiNS2nv\n0jFzK+13/rwQbL8H8yd4Zm4VA624zRz2QKKfovVySEU8qSw2M60gxr3hWTdoH+x3\no73OXaLQqdtuHYe0nSrexR5c2XFwAguJjVENsMy2iqjf/e90+thWLfnwcv0vbOxR\nxmu7up6l7ESi9xtsuFw8elKDGLuiOgNiipekJDHH9Bre4aCJC9Z2tov/0DmZFS/3\n-----END DSA PRIVATE KEY-----"',
    secret:
      "-----BEGIN DSA PRIVATE KEY-----\nHZMBHj1VwNskbioEUVsPvVVVrC41wlhNxgQyxysbEcV2g5Ljh+pSdTTldSiNS2nv\n0jFzK+13/rwQbL8H8yd4Zm4VA624zRz2QKKfovVySEU8qSw2M60gxr3hWTdoH+x3\no73OXaLQqdtuHYe0nSrexR5c2XFwAguJjVENsMy2iqjf/e90+thWLfnwcv0vbOxR\nxmu7up6l7ESi9xtsuFw8elKDGLuiOgNiipekJDHH9Bre4aCJC9Z2tov/0DmZFS/3\n-----END DSA PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "here it is -----BEGIN PGP PRIVATE KEY BLOCK-----\nJ8JcMnPfQP3nCxXKbbDB940sEomGwNcSwWplNnlRCMxqTA+Njf7a1UJ+EBHPVeBM\nmHqPg/9ZTLizHr7C7aFyyytK5NKsWxux44YL/rZN+Xb/8dkzUIrIA3EuVwOdZ1O/\nGlu6CS0tnDKSaApIccUZECL4e/9HUFceygRB1osJwkrX57g5dSsxNm7gare7TRZx\nuBEDtg8T00TsGFONr2ytYDDWfv32gxUlCOOE6qjszunwgV67Bx+gMr56h3AOZNZ+\ntAo3lDE69RD3LMbiOx3BYb+JN3uwy5j41EHIDtDaiiwlVSlJq9HdKjT3UMIEOBQd\nGCCsVGznidNykudePr2BxuioClNG5jSY11cmh429DjT8RwHJx6/barbn4r7ZCZru\ncidnunDwqXMk3rhULO35oZUA5BYKUIwgigifuQqpwx71CyJScrJRTmBgEhc8Ij2l\n-----END PGP PRIVATE KEY BLOCK----- thanks",
    secret:
      "-----BEGIN PGP PRIVATE KEY BLOCK-----\nJ8JcMnPfQP3nCxXKbbDB940sEomGwNcSwWplNnlRCMxqTA+Njf7a1UJ+EBHPVeBM\nmHqPg/9ZTLizHr7C7aFyyytK5NKsWxux44YL/rZN+Xb/8dkzUIrIA3EuVwOdZ1O/\nGlu6CS0tnDKSaApIccUZECL4e/9HUFceygRB1osJwkrX57g5dSsxNm7gare7TRZx\nuBEDtg8T00TsGFONr2ytYDDWfv32gxUlCOOE6qjszunwgV67Bx+gMr56h3AOZNZ+\ntAo3lDE69RD3LMbiOx3BYb+JN3uwy5j41EHIDtDaiiwlVSlJq9HdKjT3UMIEOBQd\nGCCsVGznidNykudePr2BxuioClNG5jSY11cmh429DjT8RwHJx6/barbn4r7ZCZru\ncidnunDwqXMk3rhULO35oZUA5BYKUIwgigifuQqpwx71CyJScrJRTmBgEhc8Ij2l\n-----END PGP PRIVATE KEY BLOCK-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "key:\n-----BEGIN RSA PRIVATE KEY-----\njWaqxadaqSfQLU1fULqL89sC7Pz1gp3DagzdUoo+yFWuH1sxjM1J4b6OzaFJvz0W\nlLxdD66H3gz+jQyco1Ld2IGNW0jx0FdayGwA2hOlVVwLBgh9iC4ZzKpnFLNPKUOl\nkZ0S6RX2lXcT3tZLEPl2fTAGr8MKoIeL6O3J5L8Nu5wPA4vgS8QMuz3dH8ALYHaT\nkSR7U8Tt8wULXAw8PdrTZIu+9Y10LInnLUTuyFkI+Kn4pCfBx4iwEMEcQPDh9pC/\nc/9aY8OsZA7lHgVLkJkzWqKoLoBquzsszvs/mUrFgVpVSoxjH57xz8yjqxpRfLRy\nY6lZ/gXw2QaCEgC1RmFGdnJiYkY+a8os1QfNHAcRZxtAbF/eTEW12akm92+s45rk\nUMWwYxXzEwUdcwWDH2LJSNnrF9LKIpwkK4+5X6rlIoxJGYI6dNDo39hRNzFg6uHT\n0zr8tTtkWlcK5CWZdWbxpczK0Gw0y7IE+Iy35+wTaSZClus48coGSiRTcEhmb3vu\nvhJ2/vZZCm+gWalO9SO7T7v7/rGZKPMfIpLfZ2tzix2tsvR9Vd+l3Y1Eh2ld7lSd\n-----END RSA PRIVATE KEY-----\n",
    secret:
      "-----BEGIN RSA PRIVATE KEY-----\njWaqxadaqSfQLU1fULqL89sC7Pz1gp3DagzdUoo+yFWuH1sxjM1J4b6OzaFJvz0W\nlLxdD66H3gz+jQyco1Ld2IGNW0jx0FdayGwA2hOlVVwLBgh9iC4ZzKpnFLNPKUOl\nkZ0S6RX2lXcT3tZLEPl2fTAGr8MKoIeL6O3J5L8Nu5wPA4vgS8QMuz3dH8ALYHaT\nkSR7U8Tt8wULXAw8PdrTZIu+9Y10LInnLUTuyFkI+Kn4pCfBx4iwEMEcQPDh9pC/\nc/9aY8OsZA7lHgVLkJkzWqKoLoBquzsszvs/mUrFgVpVSoxjH57xz8yjqxpRfLRy\nY6lZ/gXw2QaCEgC1RmFGdnJiYkY+a8os1QfNHAcRZxtAbF/eTEW12akm92+s45rk\nUMWwYxXzEwUdcwWDH2LJSNnrF9LKIpwkK4+5X6rlIoxJGYI6dNDo39hRNzFg6uHT\n0zr8tTtkWlcK5CWZdWbxpczK0Gw0y7IE+Iy35+wTaSZClus48coGSiRTcEhmb3vu\nvhJ2/vZZCm+gWalO9SO7T7v7/rGZKPMfIpLfZ2tzix2tsvR9Vd+l3Y1Eh2ld7lSd\n-----END RSA PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "-----BEGIN PRIVATE KEY-----\\nMJnWhK3g8KiDneVK3Ekdvb0uXonMoeQfpvkJM5MPFQ6xvtxNx7YljsmXZwdZArKT\\nfk3S8rdN3/a0P1reEyRkO6DGhgOzU/3GEnBuOrTmao+jFTCjRgMDUu174dFXk1Q3\\nSTvEXjBCSwViGna/yTtdRE1A3wf5Epmb5tnmMCq6WlejtCbel94J/RVqdR0QJcJ3\\n0xUJXDxgipFmfPnJCBysHhIVtSytOQPPZNa41g1Z7sb0r5VUXPxS9mazx0mO5ka9\\na65HuZb08dGdrG0LM34iDIAnQY+wfWLGAf5sXnS83Ugn8nXBVP4f40QT/B14mhKL\\nTLSwba3bAjGd/DidYx5ypImRVom02ZwPEniWliRNSJ+VcRea+8btCs6a6qbbRmbn\\nxoeUFFdqs2g5ss1ZSY2Q77vXD4e/XJZ6K+HWNz6eE2dRXfqsGWwXXQhUU8bk5KLI\\n-----END PRIVATE KEY-----",
    secret:
      "-----BEGIN PRIVATE KEY-----\\nMJnWhK3g8KiDneVK3Ekdvb0uXonMoeQfpvkJM5MPFQ6xvtxNx7YljsmXZwdZArKT\\nfk3S8rdN3/a0P1reEyRkO6DGhgOzU/3GEnBuOrTmao+jFTCjRgMDUu174dFXk1Q3\\nSTvEXjBCSwViGna/yTtdRE1A3wf5Epmb5tnmMCq6WlejtCbel94J/RVqdR0QJcJ3\\n0xUJXDxgipFmfPnJCBysHhIVtSytOQPPZNa41g1Z7sb0r5VUXPxS9mazx0mO5ka9\\na65HuZb08dGdrG0LM34iDIAnQY+wfWLGAf5sXnS83Ugn8nXBVP4f40QT/B14mhKL\\nTLSwba3bAjGd/DidYx5ypImRVom02ZwPEniWliRNSJ+VcRea+8btCs6a6qbbRmbn\\nxoeUFFdqs2g5ss1ZSY2Q77vXD4e/XJZ6K+HWNz6eE2dRXfqsGWwXXQhUU8bk5KLI\\n-----END PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: '"private_key": "-----BEGIN EC PRIVATE KEY-----\nAM4B9bWy/qra7a62xqMMgQ8an8Y8f2W6Dj/Yy/RN7HML7havdku+LPzyOLY9278c\nTdJsl7UPrq7YRogZqDOkg7sYL8Va/gxFuiXGnw431HcNBVsCTRuF/MQvIyP4siRC\nyrHqckTacHBIdIjEw9MA8Lu5fhzEdEpt0xgol9OLr3ArDESFn25qtIXb2cUXdDgE\nQN717EBKQTBK/eld7iAp8OLfMbPAEZDg+9P71tdU10JGGV1N0mobaPFs181xeLsu\n-----END EC PRIVATE KEY-----"',
    secret:
      "-----BEGIN EC PRIVATE KEY-----\nAM4B9bWy/qra7a62xqMMgQ8an8Y8f2W6Dj/Yy/RN7HML7havdku+LPzyOLY9278c\nTdJsl7UPrq7YRogZqDOkg7sYL8Va/gxFuiXGnw431HcNBVsCTRuF/MQvIyP4siRC\nyrHqckTacHBIdIjEw9MA8Lu5fhzEdEpt0xgol9OLr3ArDESFn25qtIXb2cUXdDgE\nQN717EBKQTBK/eld7iAp8OLfMbPAEZDg+9P71tdU10JGGV1N0mobaPFs181xeLsu\n-----END EC PRIVATE KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "here it is -----BEGIN OPENSSH PRIVATE KEY-----\nO8R5c9/suWCom7c26b1586NBH1WNuazul5Xf3Uj6ulLcKNaYbJglDFWL0FAw0BHp\ncIyk+QF32fRp12sGZhgWAtS6coU2apaWbudyh8MWDpkAMTahX9wVakcaw9QH9S2R\ny7gnS6nHAIACNqeXus0OsxGe7bSDaR0+edERSF++VUgIj/rv08FXKAbUJDVk4yRN\nVdj4/JwJFPkgUkvVYoQ1RlxHaue5Rv8iNnVjEHKtiyvNHdK3iAQRJWaIkOT/XK8B\ngYJP5q+HKDnCJ9gQEqCefDRlV6KHSd95H6XT3R2vmtI+RcR+vSdZWXndoNC/1C+O\n6qU5rCDW/ygcAyhXEABf3s11fnlqWHkYah1v4JdyC73NTMIrK8+5P7mZxpriPjqU\nVqtXVY9YXaTDxuTC2mQjHowW/ZQfm7uKfWJuY1pfTVWwdC3lvuTIxI1N63syQH9a thanks",
    secret:
      "-----BEGIN OPENSSH PRIVATE KEY-----\nO8R5c9/suWCom7c26b1586NBH1WNuazul5Xf3Uj6ulLcKNaYbJglDFWL0FAw0BHp\ncIyk+QF32fRp12sGZhgWAtS6coU2apaWbudyh8MWDpkAMTahX9wVakcaw9QH9S2R\ny7gnS6nHAIACNqeXus0OsxGe7bSDaR0+edERSF++VUgIj/rv08FXKAbUJDVk4yRN\nVdj4/JwJFPkgUkvVYoQ1RlxHaue5Rv8iNnVjEHKtiyvNHdK3iAQRJWaIkOT/XK8B\ngYJP5q+HKDnCJ9gQEqCefDRlV6KHSd95H6XT3R2vmtI+RcR+vSdZWXndoNC/1C+O\n6qU5rCDW/ygcAyhXEABf3s11fnlqWHkYah1v4JdyC73NTMIrK8+5P7mZxpriPjqU\nVqtXVY9YXaTDxuTC2mQjHowW/ZQfm7uKfWJuY1pfTVWwdC3lvuTIxI1N63syQH9a",
  },
  {
    detector: "PRIVATE_KEY",
    text: "-----BEGIN PUBLIC KEY-----\nIsSpojSU+zO/Dg9yvtAJ/MgxhX/YUSPNJQ7ubNn+e+wsA9GJiRPFPowLBJDqLXLx\nDCM+pfwGVpzY88bgkaxyTkzbLhzPZHaKDCkUHpuHmDSnDz5KDZmJhfvv5zVJtrHS\no77KLCogv2tlVqBnEs9XnyZJlNhb3cih4atgMF9TYOW/v94VeXFjZrxPkuxeMNyJ\ndw0/V3BTFFQR6sYSBXV3KSv5UzbyasGRpEBVN5QML26yH9Bg7I0v6BjumzBuBuUZ\nNsF+c6n6F62wMpEtZi6bDv6G6TGyMPqZJkzJsH4H21YYKSLlfYVeFqQs5iufw2a6\no6U4Tm8OtgOKCx+HY+KfjBlbY71phLclb8aKcucjErS8kOju3XTcM+k5SX+MCLMx\nnh4WDJS6xcd0WNpm2gjpp0DtwTlCEq0A9G1cvpEZYh0VeCGjZrOtEfpuHvtveI6o\nfZP4F3FKlxiONwXBLzv/Srsucdb0a/0ZHCOobBwGGyceQsdd38NSi+HvGchc4o1B\n-----END PUBLIC KEY-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "-----BEGIN CERTIFICATE-----\n/ryf4M+o4VwcshEwED6wADJrBKUC/7u8MxUM9sjK59XVfN1aLEsEBvZp2wvM63Sd\nUoq03rsoZA8DhvX0IiE3tbL3C2o21NngUicO6Fhx1b9RFIrYogF+VxWNlgMKpcwE\n23k44NTU6NErHzoBzshwTOhVs1RVZMc/XbiAZ7VyOo6aC0mOmmpGQKKvaXVUN50Q\npKM3leQb1eMVrNhVmAi/8nqASkGdr1bjn8c42VU5FJMKe9UwJc2yFctVkved6vXU\n4OQ36TdiNTvs0Q1C5GBOebi4kxeyvD99gI6tuX0Jc07EJdXlOs2pLZDX11AItidJ\nT0ZASOjjuCZk1FDQrtAj1ChHQxLu2FVv1LZ6mYt1AcCOXKSh09uTzAAurYzC8lba\nUxJ7GYazRVQh0x3LOQ1Aefe/is+tGrUHP76HWA4K+GkzM/I/O8lDED/e2erHOcWY\nDseDh9dIEcACkQ90cIYreFLV/tbRQMuMHdRCu2sgsx1QxcE827kTfAFnn12P334G\n-----END CERTIFICATE-----",
  },
  {
    detector: "PRIVATE_KEY",
    text: "-----BEGIN RSA PUBLIC KEY-----\naGrKUIaVXC6gGPpE19YGil/Xhc3Fkm95xO7DrmhcsoO2NCy1wDTPMSuYRG1H3I14\noIWachwWxBCmfgoCn4e9rhc9YPv+ORUAQ14i+JOtGMeLSAs3tEXd466FafxgbsZj\n3uaiTLHyM9OoLDXqy2KIQWwXxYtSeyQG56qnGOUGuV4Mx5lXnuUVG6rwZRsDBIrb\nV9hHJwaVQNCe2iEqZEuE8YoTDae+R+kNi6omXD1bW367VvdyvDcZY4roMjFpeFJD\nbWFCqwxJ647oEc/JJdBBv5Zne4KGHOOAVCBD4DLn+i5Ah0+yYEE3ql7jlhxDPzD5\nP9gtm99Ps2iSt+b3IUJTuoqgUZ/7ar63cSatngJtoCdjQTq+YE1HR0t8aGwjImOV\n6Mglpc81vT6QKLQAKE3a8fzy3SLEQ7YL2ft09UBu0uFSC7G5aPDn/kMS+DHHeCNB\nopeCVzpDhfGHf4AXwhheKsm8l3sex5M6Dba0NEXzk9Ja00k9qpiX0l6SQDblEwjG\n-----END RSA PUBLIC KEY-----",
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
